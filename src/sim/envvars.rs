//! Container environments as the kubelet builds them when a container starts
//! (`pkg/kubelet/envvars`, `kubelet_pods.go` `getServiceEnvVarMap`, `makeEnvironmentVariables`).

use crate::sim::cluster::Cluster;
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{Container, Pod, Service};
use std::collections::BTreeMap;
use std::sync::Arc;

fn env_name(s: &str) -> String {
    s.replace('-', "_").to_ascii_uppercase()
}

/// The variables of one Service, in upstream's order (§7.1).
pub fn service_vars(svc: &Service) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(spec) = &svc.spec else { return out };
    let ip = spec.cluster_ip.clone().unwrap_or_default();
    let name = env_name(svc.metadata.name.as_deref().unwrap_or(""));
    let ports = spec.ports.clone().unwrap_or_default();
    let Some(first) = ports.first() else {
        return out;
    };
    let host = if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.clone()
    };
    out.push((format!("{name}_SERVICE_HOST"), ip.clone()));
    out.push((format!("{name}_SERVICE_PORT"), first.port.to_string()));
    for p in &ports {
        if let Some(pn) = p.name.as_deref().filter(|n| !n.is_empty()) {
            out.push((
                format!("{name}_SERVICE_PORT_{}", env_name(pn)),
                p.port.to_string(),
            ));
        }
    }
    let proto0 = first
        .protocol
        .clone()
        .unwrap_or_else(|| "TCP".into())
        .to_ascii_lowercase();
    out.push((
        format!("{name}_PORT"),
        format!("{proto0}://{host}:{}", first.port),
    ));
    for p in &ports {
        let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        let lower = proto.to_ascii_lowercase();
        let upper = proto.to_ascii_uppercase();
        let prefix = format!("{name}_PORT_{}_{}", p.port, upper);
        out.push((prefix.clone(), format!("{lower}://{host}:{}", p.port)));
        out.push((format!("{prefix}_PROTO"), lower.clone()));
        out.push((format!("{prefix}_PORT"), p.port.to_string()));
        out.push((format!("{prefix}_ADDR"), ip.clone()));
    }
    out
}

/// `getServiceEnvVarMap`: the Services whose variables a pod in `namespace` gets.
pub fn visible_services<'a>(
    cluster: &'a Cluster,
    namespace: &str,
    enable_service_links: bool,
) -> Vec<&'a Service> {
    let mut chosen: BTreeMap<&'a str, &'a Service> = BTreeMap::new();
    let usable = |s: &Service| {
        let spec = s.spec.as_ref();
        let ip = spec.and_then(|sp| sp.cluster_ip.as_deref()).unwrap_or("");
        !ip.is_empty()
            && ip != "None"
            && spec.and_then(|sp| sp.type_.as_deref()) != Some("ExternalName")
    };
    for o in cluster.list(Kind::Service, Some("default")) {
        if let Object::Service(s) = o {
            if o.name() == "kubernetes" && usable(s) {
                chosen.insert("kubernetes", s);
            }
        }
    }
    if enable_service_links {
        for o in cluster.list(Kind::Service, Some(namespace)) {
            if let Object::Service(s) = o {
                if usable(s) {
                    chosen.insert(o.name(), s);
                }
            }
        }
    }
    chosen.into_values().collect()
}

/// `$(VAR)` expansion (third_party/forked/golang/expansion): known names expand, unknown ones and
/// forward references stay literal, `$$` is a literal `$`.
pub fn expand(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let b = input.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            match b[i + 1] {
                b'$' => {
                    out.push('$');
                    i += 2;
                    continue;
                }
                b'(' => {
                    if let Some(end) = input[i + 2..].find(')') {
                        let name = &input[i + 2..i + 2 + end];
                        match lookup(name) {
                            Some(v) => out.push_str(&v),
                            None => out.push_str(&input[i..i + 3 + end]),
                        }
                        i += 3 + end;
                        continue;
                    }
                }
                _ => {}
            }
        }
        let ch = input[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn field_ref(pod: &Pod, path: &str) -> String {
    let m = &pod.metadata;
    let st = pod.status.clone().unwrap_or_default();
    let sp = pod.spec.clone().unwrap_or_default();
    match path {
        "metadata.name" => m.name.clone().unwrap_or_default(),
        "metadata.namespace" => m.namespace.clone().unwrap_or_default(),
        "metadata.uid" => m.uid.clone().unwrap_or_default(),
        "spec.nodeName" => sp.node_name.unwrap_or_default(),
        "spec.serviceAccountName" => sp.service_account_name.unwrap_or_default(),
        "status.podIP" => st.pod_ip.unwrap_or_default(),
        "status.hostIP" => st.host_ip.unwrap_or_default(),
        p => {
            if let Some(k) = p
                .strip_prefix("metadata.labels['")
                .and_then(|s| s.strip_suffix("']"))
            {
                m.labels
                    .as_ref()
                    .and_then(|l| l.get(k))
                    .cloned()
                    .unwrap_or_default()
            } else if let Some(k) = p
                .strip_prefix("metadata.annotations['")
                .and_then(|s| s.strip_suffix("']"))
            {
                m.annotations
                    .as_ref()
                    .and_then(|l| l.get(k))
                    .cloned()
                    .unwrap_or_default()
            } else {
                String::new()
            }
        }
    }
}

/// A Service as the kubelet saw it when a container started: enough to write its variables.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEnv {
    name: String,
    ip: String,
    /// (name, port, protocol)
    ports: Vec<(Option<String>, i32, Option<String>)>,
}

impl ServiceEnv {
    fn of(svc: &Service) -> ServiceEnv {
        let spec = svc.spec.as_ref();
        ServiceEnv {
            name: svc.metadata.name.clone().unwrap_or_default(),
            ip: spec.and_then(|s| s.cluster_ip.clone()).unwrap_or_default(),
            ports: spec
                .and_then(|s| s.ports.as_ref())
                .into_iter()
                .flatten()
                .map(|p| (p.name.clone(), p.port, p.protocol.clone()))
                .collect(),
        }
    }
    fn vars(&self) -> Vec<(String, String)> {
        let svc = Service {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some(self.name.clone()),
                ..Default::default()
            },
            spec: Some(k8s_openapi::api::core::v1::ServiceSpec {
                cluster_ip: Some(self.ip.clone()),
                ports: Some(
                    self.ports
                        .iter()
                        .map(
                            |(name, port, protocol)| k8s_openapi::api::core::v1::ServicePort {
                                name: name.clone(),
                                port: *port,
                                protocol: protocol.clone(),
                                ..Default::default()
                            },
                        )
                        .collect(),
                ),
                ..Default::default()
            }),
            status: None,
        };
        service_vars(&svc)
    }
}

/// A container's environment, fixed when it started: the runtime's and declared variables, and
/// the Services that were visible then. The strings are produced when someone looks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EnvSnapshot {
    base: Vec<(String, String)>,
    /// shared by every container that started while no Service changed
    services: Arc<Vec<Arc<ServiceEnv>>>,
}

impl EnvSnapshot {
    /// PATH and HOSTNAME (the runtime's), envFrom and env, the Service variables not already
    /// defined, then HOME.
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut out = self.base.clone();
        for s in self.services.iter() {
            for (k, v) in s.vars() {
                if !out.iter().any(|(n, _)| *n == k) {
                    out.push((k, v));
                }
            }
        }
        if !out.iter().any(|(n, _)| n == "HOME") {
            out.push(("HOME".into(), "/root".into()));
        }
        out
    }
}

impl Cluster {
    /// The Services whose variables a container starting now in `namespace` gets: computed
    /// once and shared until a Service changes (a Deployment of 100 pods in a namespace of 50
    /// Services copied 5,000 of them).
    fn service_env(&mut self, namespace: &str, links: bool) -> Arc<Vec<Arc<ServiceEnv>>> {
        let key = (namespace.to_string(), links, self.service_generation);
        if let Some((k, v)) = &self.service_env_cache {
            if *k == key {
                return v.clone();
            }
        }
        // each Service's part is made once, until that Service changes (a manifest that
        // alternates Deployments and Services would otherwise remake all of them per pod)
        let mut made = Vec::new();
        let v: Arc<Vec<Arc<ServiceEnv>>> = Arc::new(
            visible_services(self, namespace, links)
                .into_iter()
                .map(|svc| {
                    let key = (
                        svc.metadata.namespace.clone().unwrap_or_default(),
                        svc.metadata.name.clone().unwrap_or_default(),
                    );
                    match self.service_env_items.get(&key) {
                        Some(e) => e.clone(),
                        None => {
                            let e = Arc::new(ServiceEnv::of(svc));
                            made.push((key, e.clone()));
                            e
                        }
                    }
                })
                .collect(),
        );
        self.service_env_items.extend(made);
        self.service_env_cache = Some((key, v.clone()));
        v
    }
}

/// The environment of `container` at start (`makeEnvironmentVariables`).
pub fn container_env(
    cluster: &mut Cluster,
    pod: &Pod,
    container: &Container,
    hostname: &str,
) -> EnvSnapshot {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let links = pod
        .spec
        .as_ref()
        .and_then(|s| s.enable_service_links)
        .unwrap_or(true);
    let services = cluster.service_env(&ns, links);
    let cluster: &Cluster = cluster;
    let needs_expansion = container
        .env
        .iter()
        .flatten()
        .any(|e| e.value.as_deref().is_some_and(|v| v.contains("$(")));
    let service_env: Vec<(String, String)> = if needs_expansion {
        services.iter().flat_map(|s| s.vars()).collect()
    } else {
        Vec::new()
    };
    let mut declared: Vec<(String, String)> = Vec::new();
    let set = |list: &mut Vec<(String, String)>, k: String, v: String| {
        if let Some(e) = list.iter_mut().find(|(n, _)| *n == k) {
            e.1 = v;
        } else {
            list.push((k, v));
        }
    };
    for ef in container.env_from.iter().flatten() {
        let prefix = ef.prefix.clone().unwrap_or_default();
        if let Some(cm) = &ef.config_map_ref {
            if let Some(Object::ConfigMap(c)) = cluster.get(Kind::ConfigMap, &ns, &cm.name) {
                for (k, v) in c.data.iter().flatten() {
                    set(&mut declared, format!("{prefix}{k}"), v.clone());
                }
            }
        }
    }
    for e in container.env.iter().flatten() {
        let value = if let Some(v) = &e.value {
            let snapshot = declared.clone();
            let svc = &service_env;
            let lookup = move |n: &str| {
                snapshot
                    .iter()
                    .chain(svc.iter())
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
            };
            expand(v, &lookup)
        } else if let Some(src) = &e.value_from {
            if let Some(fr) = &src.field_ref {
                field_ref(pod, &fr.field_path)
            } else if let Some(cm) = &src.config_map_key_ref {
                match cluster.get(Kind::ConfigMap, &ns, &cm.name) {
                    Some(Object::ConfigMap(c)) => c
                        .data
                        .as_ref()
                        .and_then(|d| d.get(&cm.key))
                        .cloned()
                        .unwrap_or_default(),
                    _ => String::new(),
                }
            } else {
                String::new()
            }
        } else {
            String::new()
        };
        set(&mut declared, e.name.clone(), value);
    }
    let mut base = vec![
        (
            "PATH".to_string(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
        ),
        ("HOSTNAME".to_string(), hostname.to_string()),
    ];
    for (k, v) in declared {
        set(&mut base, k, v);
    }
    EnvSnapshot { base, services }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_ports_get_their_own_variables() {
        let svc: Service = crate::sim::object::from_json(&json!({"metadata": {"name": "my-svc"}, "spec": {"clusterIP": "10.96.12.34",
            "ports": [{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "metrics", "port": 9090, "protocol": "TCP"}]}}))
        .unwrap();
        let vars = service_vars(&svc);
        let names: Vec<&str> = vars.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names[..6],
            [
                "MY_SVC_SERVICE_HOST",
                "MY_SVC_SERVICE_PORT",
                "MY_SVC_SERVICE_PORT_HTTP",
                "MY_SVC_SERVICE_PORT_METRICS",
                "MY_SVC_PORT",
                "MY_SVC_PORT_80_TCP"
            ]
        );
        assert_eq!(vars[4].1, "tcp://10.96.12.34:80");
        assert_eq!(vars.len(), 5 + 8);
    }

    #[test]
    fn expansion_keeps_unknown_references() {
        let lookup = |n: &str| {
            if n == "A" {
                Some("x".to_string())
            } else {
                None
            }
        };
        assert_eq!(expand("$(A)-$(B)-$$(A)", &lookup), "x-$(B)-$(A)");
    }
}
