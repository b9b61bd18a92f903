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
    from_value_at(v).map_err(|(e, _)| e)
}

/// As `from_value`; a type error also says where it is (`spec.ports[0].port`), for an editor to
/// point at.
pub fn from_value_at<'a, T: de::Deserialize<'a>>(
    v: &'a Value,
) -> Result<T, (Error, Option<String>)> {
    TRAIL.with(|t| t.borrow_mut().clear());
    T::deserialize(ValueDe(v)).map_err(|e| match GoTypeError::of(&e) {
        Some(mut g) => {
            let steps = TRAIL.with(|t| std::mem::take(&mut *t.borrow_mut()));
            let at = g.locate(v, &steps);
            (de::Error::custom(g.message()), Some(at))
        }
        None => (e, None),
    })
}

#[derive(Clone, Copy)]
struct ValueDe<'a>(&'a Value);

/// The way down to the value being read, one step per level. Steps are overwritten as siblings
/// are read and never popped, so after a failure the trail still leads to the value that
/// failed. (A wrapper on each error's way up would be code in each of ~650 visitor
/// instantiations; a step is one call from the two non-generic readers of objects and lists.)
#[derive(Clone, Copy)]
enum Step {
    /// the `n`th entry of an object: a field of struct `Some(name)` (Go names the field and
    /// the innermost struct holding it), or a map's value (Go names neither)
    Entry {
        n: u32,
        strukt: Option<&'static str>,
    },
    /// the `n`th item of a list (Go names no index)
    Item(u32),
}

thread_local! {
    /// the step at each level, from the top: `TRAIL[l]` is the step taken at level `l`
    static TRAIL: std::cell::RefCell<Vec<Step>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The level of the children of the object or list about to be read: the last step is the one
/// that led to it (steps deeper than it were cut when it was recorded).
#[inline(never)]
fn child_level() -> u32 {
    TRAIL.with(|t| t.borrow().len() as u32)
}

/// Records step `s` at `level`: what was recorded at that level or deeper belonged to a sibling.
#[inline(never)]
fn step(level: u32, s: Step) {
    TRAIL.with(|t| {
        let mut t = t.borrow_mut();
        t.truncate(level as usize);
        t.push(s);
    });
}

/// A type mismatch: the value Go saw, the Go type it wanted, and where.
#[derive(Debug, PartialEq)]
struct GoTypeError {
    value: String,
    go_type: String,
    strukt: String,
    path: String,
}

impl GoTypeError {
    /// serde's "invalid type" (or an out-of-range "invalid value" for a number) for a visitor's
    /// expectation, or a list/map mismatch already in Go's terms; `None` for every other error.
    fn of(e: &Error) -> Option<GoTypeError> {
        let msg = e.to_string();
        if let Some((value, go_type)) = msg.strip_prefix(COLLECTION).and_then(|r| r.split_once(' '))
        {
            return Some(GoTypeError::new(value, go_type));
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
        Some(GoTypeError::new(&value, &go_type))
    }

    fn new(value: &str, go_type: &str) -> GoTypeError {
        GoTypeError {
            value: value.into(),
            go_type: go_type.into(),
            strukt: String::new(),
            path: String::new(),
        }
    }

    /// Follows the trail down `v`: fills in Go's struct and field path, and returns the whole
    /// path, with list indices and map keys.
    fn locate(&mut self, v: &Value, steps: &[Step]) -> String {
        let (at, path, holder) = walk(v, steps);
        self.strukt = holder.to_string();
        self.path = path.join(".");
        at
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

/// The trail followed down `v`: the whole path (`spec.ports[0].port`), the struct fields on it
/// (Go's field path), and the innermost struct holding the last of them.
fn walk<'v>(v: &'v Value, steps: &[Step]) -> (String, Vec<&'v str>, &'static str) {
    let (mut at, mut path) = (String::new(), Vec::new());
    let (mut cur, mut holder) = (v, "");
    for s in steps {
        match *s {
            Step::Item(n) => {
                at.push_str(&format!("[{n}]"));
                cur = cur.get(n as usize).unwrap_or(&Value::Null);
            }
            Step::Entry { n, strukt } => {
                let Some((k, next)) = cur.as_object().and_then(|m| m.iter().nth(n as usize)) else {
                    break;
                };
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(k);
                if let Some(name) = strukt {
                    path.push(k.as_str());
                    holder = name;
                }
                cur = next;
            }
        }
    }
    (at, path, holder)
}

/// Runs `decode` (reading `v` through this module) and answers with it the paths of the fields
/// of `v` no type knew (`spec.ports[0].nmae`), in the order read — the API server's strict
/// field validation. A k8s-openapi visitor skips a field it does not know as `IgnoredAny`; a
/// `null` there is no field (Go's decoder takes it as absent).
pub fn with_unknown_fields<R>(v: &Value, decode: impl FnOnce() -> R) -> (R, Vec<String>) {
    UNKNOWN.with(|u| *u.borrow_mut() = Some(Vec::new()));
    let out = decode();
    let trails = UNKNOWN.with(|u| u.borrow_mut().take()).unwrap_or_default();
    (out, trails.iter().map(|steps| walk(v, steps).0).collect())
}

thread_local! {
    /// the trails to the unknown fields met, while `with_unknown_fields` collects them
    static UNKNOWN: std::cell::RefCell<Option<Vec<Vec<Step>>>> =
        const { std::cell::RefCell::new(None) };
}

#[inline(never)]
fn note_unknown_field() {
    UNKNOWN.with(|u| {
        if let Some(list) = u.borrow_mut().as_mut() {
            list.push(TRAIL.with(|t| t.borrow().clone()));
        }
    });
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

/// How a list or map mismatch travels up, already in Go's terms (`… object []v1.Container`).
const COLLECTION: &str = "\u{1}go-collection ";

/// A list or map field given some other kind of value, as Go reports it.
fn collection_mismatch<'a, V: Visitor<'a>, T>(v: &Value, visitor: &V) -> Result<T, Error> {
    Err(collection_error(
        v,
        std::any::type_name::<V::Value>(),
        visitor,
    ))
}

/// The body of `collection_mismatch`, once for all list and map types.
#[inline(never)]
fn collection_error(v: &Value, rust: &str, expected: &dyn de::Expected) -> Error {
    let value = match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => return de::Error::invalid_type(Unexpected::Unit, expected),
    };
    de::Error::custom(format!("{COLLECTION}{value} {}", go_collection_type(rust)))
}

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
    let mut seq = SeqDe {
        iter: a.iter(),
        n: 0,
        level: child_level(),
    };
    let out = visitor.visit_seq(&mut seq)?;
    if seq.iter.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(
            a.len(),
            &"fewer elements in array",
        ))
    }
}

/// `strukt`: the object is that struct's (its keys are field names, which Go's errors name; a
/// map's keys are not: `""`).
fn visit_object<'a, V: Visitor<'a>>(
    m: &'a Map<String, Value>,
    visitor: V,
    strukt: &'static str,
) -> Result<V::Value, Error> {
    let mut map = MapDe {
        iter: m.iter(),
        value: None,
        n: 0,
        strukt,
        level: child_level(),
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
            Value::Object(m) => visit_object(m, visitor, ""),
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
            Value::Object(m) => visit_object(m, visitor, ""),
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
            Value::Object(m) => visit_object(m, visitor, name),
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
        if !self.0.is_null() {
            note_unknown_field();
        }
        visitor.visit_unit()
    }
}

struct SeqDe<'a> {
    iter: std::slice::Iter<'a, Value>,
    /// items read so far, and the level of the trail they are at
    n: u32,
    level: u32,
}

impl SeqDe<'_> {
    #[inline(never)]
    fn enter(&mut self) {
        step(self.level, Step::Item(self.n));
        self.n += 1;
    }
}

impl<'a> SeqAccess<'a> for SeqDe<'a> {
    type Error = Error;

    #[inline(never)]
    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.iter.next() {
            Some(v) => {
                self.enter();
                seed.deserialize(ValueDe(v)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        match self.iter.size_hint() {
            (lower, Some(upper)) if lower == upper => Some(upper),
            _ => None,
        }
    }
}

struct MapDe<'a> {
    iter: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
    /// entries read so far, and the level of the trail they are at
    n: u32,
    /// the struct whose object this is, `""` for a map
    strukt: &'static str,
    level: u32,
}

impl MapDe<'_> {
    #[inline(never)]
    fn enter(&mut self) {
        let strukt = Some(self.strukt).filter(|s| !s.is_empty());
        step(self.level, Step::Entry { n: self.n, strukt });
        self.n += 1;
    }
}

impl<'a> MapAccess<'a> for MapDe<'a> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.iter.next() {
            Some((k, v)) => {
                self.value = Some(v);
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
            Some(v) => {
                self.enter();
                seed.deserialize(ValueDe(v))
            }
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
