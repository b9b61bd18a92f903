//! The kinds svclab stores, decoded into k8s-openapi's v1.34 types, with the apiserver's strict
//! field validation (an unknown or misspelt field is an error naming its path).

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    Node,
    ConfigMap,
    Pod,
    Service,
    Endpoints,
    EndpointSlice,
    Deployment,
    ReplicaSet,
    DaemonSet,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Namespace,
        Kind::Node,
        Kind::ConfigMap,
        Kind::Pod,
        Kind::Service,
        Kind::Endpoints,
        Kind::EndpointSlice,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::DaemonSet,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::ConfigMap => "ConfigMap",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
            Kind::Endpoints => "Endpoints",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::DaemonSet => "DaemonSet",
        }
    }
    pub fn group(self) -> &'static str {
        match self {
            Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet => "apps",
            Kind::EndpointSlice => "discovery.k8s.io",
            _ => "",
        }
    }
    pub fn version(self) -> &'static str {
        "v1"
    }
    pub fn api_version(self) -> String {
        if self.group().is_empty() {
            self.version().to_string()
        } else {
            format!("{}/{}", self.group(), self.version())
        }
    }
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Node => "nodes",
            Kind::ConfigMap => "configmaps",
            Kind::Pod => "pods",
            Kind::Service => "services",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslices",
            Kind::Deployment => "deployments",
            Kind::ReplicaSet => "replicasets",
            Kind::DaemonSet => "daemonsets",
        }
    }
    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Namespace | Kind::Node)
    }
    /// `GroupResource.String()`: `pods`, `deployments.apps`.
    pub fn group_resource(self) -> String {
        if self.group().is_empty() {
            self.plural().to_string()
        } else {
            format!("{}.{}", self.plural(), self.group())
        }
    }
    /// `GroupKind.String()`: `Pod`, `DaemonSet.apps`.
    pub fn group_kind(self) -> String {
        if self.group().is_empty() {
            self.name().to_string()
        } else {
            format!("{}.{}", self.name(), self.group())
        }
    }
    /// The `kind/name` prefix kubectl prints: `pod`, `deployment.apps`.
    pub fn lower_group_kind(self) -> String {
        let k = self.name().to_ascii_lowercase();
        if self.group().is_empty() {
            k
        } else {
            format!("{k}.{}", self.group())
        }
    }
    /// `"/v1, Resource=pods"` as cli-runtime prints a GroupVersionResource.
    pub fn gvr_string(self) -> String {
        format!(
            "{}/{}, Resource={}",
            self.group(),
            self.version(),
            self.plural()
        )
    }
    /// The resource names kubectl accepts for this kind (plural, singular, short names).
    pub fn from_resource_name(s: &str) -> Option<Kind> {
        let lower = s.to_ascii_lowercase();
        let base = lower.split('.').next().unwrap_or("");
        let group = lower.split_once('.').map(|(_, g)| g);
        let kind = match base {
            "namespaces" | "namespace" | "ns" => Kind::Namespace,
            "nodes" | "node" | "no" => Kind::Node,
            "configmaps" | "configmap" | "cm" => Kind::ConfigMap,
            "pods" | "pod" | "po" => Kind::Pod,
            "services" | "service" | "svc" => Kind::Service,
            "endpoints" | "ep" => Kind::Endpoints,
            "endpointslices" | "endpointslice" => Kind::EndpointSlice,
            "deployments" | "deployment" | "deploy" => Kind::Deployment,
            "replicasets" | "replicaset" | "rs" => Kind::ReplicaSet,
            "daemonsets" | "daemonset" | "ds" => Kind::DaemonSet,
            _ => return None,
        };
        match group {
            None => Some(kind),
            Some(g) if g == kind.group() || (g == "apps" && kind.group() == "apps") => Some(kind),
            Some(g) if kind.group() == "discovery.k8s.io" && g == "discovery.k8s.io" => Some(kind),
            Some(_) => None,
        }
    }
    pub fn from_api(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == kind && k.api_version() == api_version)
    }
}

/// A stored object of one of the kinds above.
///
/// The kinds over ~500 bytes are boxed, so that an object is the size of an EndpointSlice (416
/// bytes, not a Deployment's 2,376): the endpoints controllers write tens of thousands of
/// slices and Endpoints, and each was allocated and moved at the size of the largest kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Namespace(Namespace),
    Node(Box<Node>),
    ConfigMap(ConfigMap),
    Pod(Box<Pod>),
    Service(Box<Service>),
    Endpoints(Endpoints),
    EndpointSlice(EndpointSlice),
    Deployment(Box<Deployment>),
    ReplicaSet(Box<ReplicaSet>),
    DaemonSet(Box<DaemonSet>),
}

// (a new kind, or a k8s-openapi upgrade that grows one, must be boxed too)
const _: () = assert!(std::mem::size_of::<Object>() <= 512);

macro_rules! each_object {
    ($obj:expr, $o:ident => $body:expr) => {
        match $obj {
            Object::Namespace($o) => $body,
            Object::Node($o) => $body,
            Object::ConfigMap($o) => $body,
            Object::Pod($o) => $body,
            Object::Service($o) => $body,
            Object::Endpoints($o) => $body,
            Object::EndpointSlice($o) => $body,
            Object::Deployment($o) => $body,
            Object::ReplicaSet($o) => $body,
            Object::DaemonSet($o) => $body,
        }
    };
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Node(_) => Kind::Node,
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::Pod(_) => Kind::Pod,
            Object::Service(_) => Kind::Service,
            Object::Endpoints(_) => Kind::Endpoints,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::Deployment(_) => Kind::Deployment,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::DaemonSet(_) => Kind::DaemonSet,
        }
    }
    pub fn as_replica_set(&self) -> Option<&k8s_openapi::api::apps::v1::ReplicaSet> {
        match self {
            Object::ReplicaSet(r) => Some(r),
            _ => None,
        }
    }
    pub fn meta(&self) -> &ObjectMeta {
        each_object!(self, o => &o.metadata)
    }
    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        each_object!(self, o => &mut o.metadata)
    }
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }
    /// The object as JSON with `apiVersion` and `kind`, keys sorted (as kubectl prints it).
    pub fn to_value(&self) -> Value {
        let mut v = each_object!(self, o => serde_json::to_value(o)).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert(
                "apiVersion".into(),
                Value::String(self.kind().api_version()),
            );
            m.insert("kind".into(), Value::String(self.kind().name().into()));
        }
        v
    }
}

/// Why a document could not be turned into an object.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// `Object 'Kind' is missing in '…'` and friends.
    MissingTypeInfo(String),
    /// No such kind in that version: kubectl's "resource mapping not found".
    NoMatch {
        kind: String,
        version: String,
        name: String,
        namespace: String,
    },
    /// Strict decoding: unknown fields, with their paths (`spec.ports[0].nmae`).
    UnknownFields { kind: Kind, fields: Vec<String> },
    /// A value of the wrong type (`json: cannot unmarshal …`), and where it is when known
    /// (`spec.ports[0].port`: Go's message names no list index).
    Type {
        kind: Kind,
        message: String,
        at: Option<String>,
    },
}

/// Decodes one JSON object into its typed form, strictly.
pub fn decode(v: &Value) -> Result<Object, DecodeError> {
    let Value::Object(map) = v else {
        return Err(DecodeError::MissingTypeInfo(format!(
            "Object 'Kind' is missing in '{}'",
            v
        )));
    };
    let kind_s = map.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if kind_s.is_empty() {
        return Err(DecodeError::MissingTypeInfo(format!(
            "Object 'Kind' is missing in '{}'",
            v
        )));
    }
    if api_version.is_empty() {
        return Err(DecodeError::MissingTypeInfo(format!(
            "Object 'apiVersion' is missing in '{}'",
            v
        )));
    }
    let Some(kind) = Kind::from_api(api_version, kind_s) else {
        let meta = map.get("metadata");
        return Err(DecodeError::NoMatch {
            kind: kind_s.to_string(),
            version: api_version.to_string(),
            name: meta
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            namespace: meta
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        });
    };
    let (typed, unknown) = crate::sim::json_de::with_unknown_fields(v, || decode_as(kind, v));
    let typed = typed.map_err(|(message, at)| DecodeError::Type { kind, message, at })?;
    if !unknown.is_empty() {
        return Err(DecodeError::UnknownFields {
            kind,
            fields: unknown,
        });
    }
    Ok(typed)
}

/// Decodes a value built from objects that were already checked (no strict field check).
pub fn decode_known(v: &Value) -> Result<Object, DecodeError> {
    let kind_s = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = Kind::from_api(api_version, kind_s).ok_or_else(|| {
        DecodeError::MissingTypeInfo(format!("Object 'Kind' is missing in '{v}'"))
    })?;
    decode_as(kind, v).map_err(|(message, at)| DecodeError::Type { kind, message, at })
}

/// Every typed object is built from a borrowed JSON value, here and everywhere else, through one
/// deserializer (`json_de`): each k8s-openapi type's visitor is then compiled once (an owned
/// `Value` is a second deserializer type, and its copy of every generated visitor cost about
/// 200 KB of the browser build).
pub fn from_json<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, serde_json::Error> {
    crate::sim::json_de::from_value(v)
}

fn decode_as(kind: Kind, v: &Value) -> Result<Object, (String, Option<String>)> {
    fn de<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, (String, Option<String>)> {
        crate::sim::json_de::from_value_at(v).map_err(|(e, at)| (e.to_string(), at))
    }
    Ok(match kind {
        Kind::Namespace => Object::Namespace(de(v)?),
        Kind::Node => Object::Node(de(v)?),
        Kind::ConfigMap => Object::ConfigMap(de(v)?),
        Kind::Pod => Object::Pod(de(v)?),
        Kind::Service => Object::Service(de(v)?),
        Kind::Endpoints => Object::Endpoints(de(v)?),
        Kind::EndpointSlice => Object::EndpointSlice(de(v)?),
        Kind::Deployment => Object::Deployment(de(v)?),
        Kind::ReplicaSet => Object::ReplicaSet(de(v)?),
        Kind::DaemonSet => Object::DaemonSet(de(v)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn misspelt_field_is_reported_with_its_path() {
        let v = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
            "spec": {"ports": [{"port": 80, "nmae": "http"}], "selectr": {"a": "b"}}});
        match decode(&v) {
            Err(DecodeError::UnknownFields { fields, .. }) => {
                assert_eq!(fields, vec!["spec.ports[0].nmae", "spec.selectr"])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn valid_fields_are_accepted() {
        let v = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x", "labels": {}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "x"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]}}}});
        assert!(decode(&v).is_ok());
    }

    #[test]
    fn unknown_kind_is_no_match() {
        let v = json!({"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "x"}});
        assert!(matches!(decode(&v), Err(DecodeError::NoMatch { .. })));
    }
}
