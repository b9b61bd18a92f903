//! A serde `Deserializer` over a borrowed `serde_json::Value`, answering exactly as serde_json's
//! own `&Value` deserializer does (same visitor calls, same errors), with one difference that
//! matters in the browser: each struct's visitor and each field's value stay separate functions.
//!
//! Why: with serde_json's deserializer, LLVM inlines the generated k8s-openapi visitors into one
//! another; one instantiation held the whole Pod spec (86 KB of wasm). V8 compiles a wasm function
//! the first time it runs, and compiling that one function took 31 ms of the lab's first render.
//! Kept apart, only the visitors a manifest uses are compiled, each quickly.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Error, Map, Number, Value};

/// Deserializes `v` as serde_json's `T::deserialize(&v)` would, except that a value of the
/// wrong type is reported as the API server reports it (Go's `encoding/json`):
/// `json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32`.
pub fn from_value<'a, T: de::Deserialize<'a>>(v: &'a Value) -> Result<T, Error> {
    T::deserialize(ValueDe(v)).map_err(|e| match GoTypeError::of(&e) {
        Some(g) => de::Error::custom(g.message()),
        None => e,
    })
}

/// A type mismatch on its way up: Go names the innermost struct holding the field, the field's
/// JSON path from the root without list indices, and the Go type it wanted. Carried inside a
/// serde_json error (its only payload is a message), in a form no other error can take.
#[derive(Debug, PartialEq)]
struct GoTypeError {
    value: String,
    go_type: String,
    strukt: String,
    path: String,
}

const MARK: char = '\u{1}';

impl GoTypeError {
    /// Reads a marked error, or turns serde's "invalid type" / out-of-range "invalid value" for
    /// a visitor's expectation into one; `None` for every other error.
    fn of(e: &Error) -> Option<GoTypeError> {
        let msg = e.to_string();
        if let Some(rest) = msg.strip_prefix(MARK) {
            let mut f = rest.split(MARK).map(str::to_string);
            return Some(GoTypeError {
                value: f.next()?,
                go_type: f.next()?,
                strukt: f.next()?,
                path: f.next()?,
            });
        }
        let msg = msg.split(" at line ").next().unwrap_or(&msg);
        let (invalid_value, rest) = match msg.strip_prefix("invalid type: ") {
            Some(r) => (false, r),
            None => (true, msg.strip_prefix("invalid value: ")?),
        };
        let (got, expected) = rest.split_once(", expected ")?;
        let go_type = go_type(expected)?;
        let literal = got.split('`').nth(1).unwrap_or("");
        let int_target = go_type.starts_with("int") || go_type.starts_with("uint");
        let value = if got.starts_with("string") {
            "string".to_string()
        } else if got.starts_with("integer") || got.starts_with("floating") {
            // Go quotes the number when it does not fit the integer it was meant for
            if int_target && (invalid_value || got.starts_with("floating")) {
                format!("number {literal}")
            } else {
                "number".to_string()
            }
        } else if got.starts_with("boolean") {
            "bool".to_string()
        } else if got.starts_with("map") {
            "object".to_string()
        } else if got.starts_with("sequence") {
            "array".to_string()
        } else {
            return None;
        };
        if invalid_value && !value.starts_with("number") {
            return None;
        }
        Some(GoTypeError {
            value,
            go_type,
            strukt: String::new(),
            path: String::new(),
        })
    }

    fn error(&self) -> Error {
        de::Error::custom(format!(
            "{MARK}{}{MARK}{}{MARK}{}{MARK}{}",
            self.value, self.go_type, self.strukt, self.path
        ))
    }

    fn message(&self) -> String {
        if self.path.is_empty() {
            format!(
                "json: cannot unmarshal {} into Go value of type {}",
                self.value, self.go_type
            )
        } else {
            format!(
                "json: cannot unmarshal {} into Go struct field {}.{} of type {}",
                self.value, self.strukt, self.path, self.go_type
            )
        }
    }
}

/// The Go type behind what a k8s-openapi or serde visitor expects (`None`: not a plain type
/// mismatch).
fn go_type(expected: &str) -> Option<String> {
    Some(match expected {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => {
            let bits = &expected[1..];
            let sign = if expected.starts_with('u') { "u" } else { "" };
            format!("{sign}int{bits}")
        }
        "f32" | "f64" => format!("float{}", &expected[1..]),
        "a string" | "a borrowed string" | "a character" => "string".into(),
        "a boolean" => "bool".into(),
        // intstr.IntOrString reads anything but a string as its int32
        "IntOrString" => "int32".into(),
        // metav1.Time reads its JSON as a string first
        t if t.contains("date and time") => "string".into(),
        "a sequence" | "a map" => return None,
        t if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()) => match t {
            "Quantity" => "resource.Quantity".into(),
            _ => format!("v1.{t}"),
        },
        _ => return None,
    })
}

/// The Go type of a list or map field, from the Rust type the visitor builds
/// (`alloc::vec::Vec<k8s_openapi::…::ServicePort>` → `[]v1.ServicePort`).
fn go_collection_type(rust: &str) -> String {
    fn last(path: &str) -> &str {
        path.rsplit("::").next().unwrap_or(path).trim()
    }
    fn elem(path: &str) -> String {
        match last(path) {
            "String" => "string".into(),
            "i32" => "int32".into(),
            "i64" => "int64".into(),
            "bool" => "bool".into(),
            "ByteString" => "[]byte".into(),
            "Quantity" => "resource.Quantity".into(),
            t => format!("v1.{t}"),
        }
    }
    let inner = rust
        .split_once('<')
        .and_then(|(_, r)| r.strip_suffix('>'))
        .unwrap_or("");
    if rust.contains("Vec<") {
        format!("[]{}", elem(inner))
    } else {
        let (k, v) = inner.split_once(',').unwrap_or((inner, inner));
        match elem(v).as_str() {
            // corev1.ResourceList is a named map type
            "resource.Quantity" => "v1.ResourceList".into(),
            v => format!("map[{}]{v}", elem(k)),
        }
    }
}

/// A list or map field given some other kind of value, as Go reports it.
fn collection_mismatch<'a, V: Visitor<'a>, T>(v: &Value, visitor: &V) -> Result<T, Error> {
    let value = match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => return invalid(v, visitor),
    };
    let rust = std::any::type_name::<V::Value>();
    Err(GoTypeError {
        value: value.into(),
        go_type: go_collection_type(rust),
        strukt: String::new(),
        path: String::new(),
    }
    .error())
}

/// On the way up through a struct's field `key`: the field joins the front of the path.
fn in_field(e: Error, key: &str) -> Error {
    match GoTypeError::of(&e) {
        Some(mut g) => {
            g.path = if g.path.is_empty() {
                key.to_string()
            } else {
                format!("{key}.{}", g.path)
            };
            g.error()
        }
        None => e,
    }
}

/// On the way up through a map's value: an error still in serde's words becomes Go's (its
/// path is the map's field, added above).
fn fresh(e: Error) -> Error {
    match GoTypeError::of(&e) {
        Some(g) => g.error(),
        None => e,
    }
}

/// On the way up through struct `name`: the innermost struct holding the field names it.
fn in_struct(e: Error, name: &str) -> Error {
    match GoTypeError::of(&e) {
        Some(mut g) if g.strukt.is_empty() && !g.path.is_empty() => {
            g.strukt = name.to_string();
            g.error()
        }
        _ => e,
    }
}

#[derive(Clone, Copy)]
struct ValueDe<'a>(&'a Value);

/// What serde calls the value in an "invalid type" error (`Value::unexpected`).
fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => number_unexpected(n),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

fn number_unexpected(n: &Number) -> Unexpected<'static> {
    if let Some(u) = n.as_u64() {
        Unexpected::Unsigned(u)
    } else if let Some(i) = n.as_i64() {
        Unexpected::Signed(i)
    } else {
        Unexpected::Float(n.as_f64().unwrap_or(0.0))
    }
}

fn visit_number<'a, V: Visitor<'a>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(0.0))
    }
}

fn invalid<'a, V: Visitor<'a>, T>(v: &Value, visitor: &V) -> Result<T, Error> {
    Err(de::Error::invalid_type(unexpected(v), visitor))
}

fn visit_array<'a, V: Visitor<'a>>(a: &'a [Value], visitor: V) -> Result<V::Value, Error> {
    let mut seq = SeqDe(a.iter());
    let out = visitor.visit_seq(&mut seq)?;
    if seq.0.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(
            a.len(),
            &"fewer elements in array",
        ))
    }
}

/// `fields`: the object is a struct's (its keys are field names, which Go's errors name; a
/// map's keys are not).
fn visit_object<'a, V: Visitor<'a>>(
    m: &'a Map<String, Value>,
    visitor: V,
    fields: bool,
) -> Result<V::Value, Error> {
    let mut map = MapDe {
        iter: m.iter(),
        value: None,
        fields,
    };
    let out = visitor.visit_map(&mut map)?;
    if map.iter.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(m.len(), &"fewer elements in map"))
    }
}

macro_rules! numbers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0 {
                    Value::Number(n) => visit_number(n, visitor),
                    other => invalid(other, &visitor),
                }
            }
        )*
    };
}

impl<'a> Deserializer<'a> for ValueDe<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(a) => visit_array(a, visitor),
            Value::Object(m) => visit_object(m, visitor, false),
        }
    }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => invalid(other, &visitor),
        }
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_borrowed_str(s),
            other => invalid(other, &visitor),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(a) => visit_array(a, visitor),
            other => invalid(other, &visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    #[inline(never)]
    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            other => invalid(other, &visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => visit_array(a, visitor),
            other => collection_mismatch(other, &visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(m) => visit_object(m, visitor, false),
            other => collection_mismatch(other, &visitor),
        }
    }

    /// One function per struct type: its visitor is inlined here and nowhere else.
    #[inline(never)]
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => visit_array(a, visitor),
            Value::Object(m) => visit_object(m, visitor, true).map_err(|e| in_struct(e, name)),
            other => invalid(other, &visitor),
        }
    }

    /// No k8s type is a Rust enum; any other caller gets serde_json's own behaviour.
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

struct SeqDe<'a>(std::slice::Iter<'a, Value>);

impl<'a> SeqAccess<'a> for SeqDe<'a> {
    type Error = Error;

    #[inline(never)]
    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.0.next() {
            Some(v) => seed.deserialize(ValueDe(v)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.0.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

struct MapDe<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<(&'a str, &'a Value)>,
    fields: bool,
}

impl<'a> MapAccess<'a> for MapDe<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some((k, v));
                seed.deserialize(de::value::BorrowedStrDeserializer::<Error>::new(k))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    /// One function per field type, so that no visitor is inlined into another.
    #[inline(never)]
    fn next_value_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<T::Value, Error> {
        match self.value.take() {
            Some((k, v)) if self.fields => seed.deserialize(ValueDe(v)).map_err(|e| in_field(e, k)),
            Some((_, v)) => seed.deserialize(ValueDe(v)).map_err(fresh),
            None => Err(de::Error::custom("value is missing")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.iter.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ConfigMap, Pod, Service};
    use serde_json::json;

    /// Every value and every error is what serde_json's own deserializer gives.
    fn same<T>(v: Value)
    where
        T: de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let ours = from_value::<T>(&v).map_err(|e| e.to_string());
        let theirs = T::deserialize(&v).map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{v}");
    }

    #[test]
    fn answers_as_serde_json_does() {
        same::<Pod>(json!({"metadata": {"name": "p", "labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "name": "http"}],
                "readinessProbe": {"httpGet": {"port": "http"}, "initialDelaySeconds": 5},
                "resources": {"limits": {"memory": "170Mi"}}}]},
            "status": {"startTime": "2025-11-25T10:00:00Z"}}));
        same::<Service>(
            json!({"spec": {"ports": [{"port": 80, "targetPort": "web"}], "clusterIP": null}}),
        );
        same::<ConfigMap>(json!({"data": {"k": "v"}, "binaryData": {"b": "aGk="}}));
        // errors other than a type mismatch
        same::<Service>(json!({"metadata": {"creationTimestamp": "yesterday"}}));
        same::<ConfigMap>(json!({"binaryData": {"b": "***"}}));
    }

    fn go<T: de::DeserializeOwned + std::fmt::Debug>(v: Value, want: &str) {
        let got = from_value::<T>(&v).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(got, Err(want.to_string()), "{v}");
    }

    /// A value of the wrong type, in the words of Go's encoding/json as the API server uses it:
    /// the innermost struct, the field path from the root without list indices or map keys,
    /// and the Go type.
    #[test]
    fn type_mismatches_read_as_go_reports_them() {
        let field = |s: &str, path: &str, v: &str, t: &str| {
            format!("json: cannot unmarshal {v} into Go struct field {s}.{path} of type {t}")
        };
        go::<Pod>(
            json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}}),
            &field(
                "ContainerPort",
                "spec.containers.ports.containerPort",
                "string",
                "int32",
            ),
        );
        go::<Pod>(
            json!({"spec": {"containers": [{"name": 3}]}}),
            &field("Container", "spec.containers.name", "number", "string"),
        );
        go::<Pod>(
            json!({"spec": {"containers": {"name": "c"}}}),
            &field("PodSpec", "spec.containers", "object", "[]v1.Container"),
        );
        go::<Pod>(
            json!({"spec": {"containers": [{"name": "c", "ports": [8080]}]}}),
            &field(
                "Container",
                "spec.containers.ports",
                "number",
                "v1.ContainerPort",
            ),
        );
        go::<Pod>(
            json!({"spec": {"containers": [{"name": "c"}], "priority": -1.5}}),
            &field("PodSpec", "spec.priority", "number -1.5", "int32"),
        );
        go::<Pod>(
            json!({"spec": {"containers": [{"name": "c", "resources": {"limits": ["1"]}}]}}),
            &field(
                "ResourceRequirements",
                "spec.containers.resources.limits",
                "array",
                "v1.ResourceList",
            ),
        );
        go::<Service>(
            json!({"spec": {"ports": [{"port": 99999999999u64}]}}),
            &field(
                "ServicePort",
                "spec.ports.port",
                "number 99999999999",
                "int32",
            ),
        );
        go::<Service>(
            json!({"spec": {"ports": [{"port": 80, "targetPort": true}]}}),
            &field("ServicePort", "spec.ports.targetPort", "bool", "int32"),
        );
        go::<Service>(
            json!({"spec": {"ports": [{"port": -3}], "publishNotReadyAddresses": "yes"}}),
            &field(
                "ServiceSpec",
                "spec.publishNotReadyAddresses",
                "string",
                "bool",
            ),
        );
        go::<Service>(
            json!({"spec": {"selector": {"app": 1}}}),
            &field("ServiceSpec", "spec.selector", "number", "string"),
        );
        go::<Service>(
            json!({"metadata": {"labels": ["a"]}}),
            &field(
                "ObjectMeta",
                "metadata.labels",
                "array",
                "map[string]string",
            ),
        );
        go::<Service>(
            json!({"metadata": {"creationTimestamp": 5}}),
            &field(
                "ObjectMeta",
                "metadata.creationTimestamp",
                "number",
                "string",
            ),
        );
        go::<Service>(
            json!({"spec": "x"}),
            &field("Service", "spec", "string", "v1.ServiceSpec"),
        );
        go::<Service>(
            json!("a string"),
            "json: cannot unmarshal string into Go value of type v1.Service",
        );
    }
}
