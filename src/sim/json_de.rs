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

/// Deserializes `v` as serde_json's `T::deserialize(&v)` would.
pub fn from_value<'a, T: de::Deserialize<'a>>(v: &'a Value) -> Result<T, Error> {
    T::deserialize(ValueDe(v))
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

fn visit_object<'a, V: Visitor<'a>>(
    m: &'a Map<String, Value>,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut map = MapDe {
        iter: m.iter(),
        value: None,
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
            Value::Object(m) => visit_object(m, visitor),
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
            other => invalid(other, &visitor),
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
            Value::Object(m) => visit_object(m, visitor),
            other => invalid(other, &visitor),
        }
    }

    /// One function per struct type: its visitor is inlined here and nowhere else.
    #[inline(never)]
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(a) => visit_array(a, visitor),
            Value::Object(m) => visit_object(m, visitor),
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
    value: Option<&'a Value>,
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
            Some(v) => seed.deserialize(ValueDe(v)),
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
        // the errors
        same::<Pod>(
            json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}}),
        );
        same::<Pod>(json!({"spec": {"containers": [{"name": 3}]}}));
        same::<Pod>(json!({"spec": {"containers": {"name": "c"}}}));
        same::<Pod>(json!({"spec": {"containers": [{"name": "c"}], "priority": -1.5}}));
        same::<Service>(json!({"spec": {"ports": [{"port": 99999999999u64}]}}));
        same::<Service>(
            json!({"spec": {"ports": [{"port": -3}], "publishNotReadyAddresses": "yes"}}),
        );
        same::<Service>(json!({"metadata": {"labels": ["a"]}}));
        same::<Service>(json!({"metadata": {"creationTimestamp": "yesterday"}}));
        same::<Service>(json!("a string"));
        same::<Service>(json!([{"a": 1}]));
        same::<ConfigMap>(json!({"binaryData": {"b": "***"}}));
    }
}
