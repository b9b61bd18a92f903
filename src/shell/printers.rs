//! The apiserver's table printers (`pkg/printers/internalversion/printers.go`): columns and cells
//! for each kind, as `kubectl get` shows them.

use crate::sim::kubelet::node_internal_ip;
use crate::sim::labels::{format_label_selector, format_labels};
use crate::sim::object::{Kind, Object};
use crate::sim::time::{human_duration, SimTime};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

pub struct Table {
    pub headers: Vec<&'static str>,
    /// Columns shown only with `-o wide` start at this index.
    pub wide_from: usize,
    pub rows: Vec<Vec<String>>,
}

pub fn age(now: SimTime, t: Option<&Time>) -> String {
    match t {
        Some(t) => human_duration(now.secs_since_time(t)),
        None => "<unknown>".into(),
    }
}

fn list_with_more(list: &[String], max: usize) -> String {
    let shown: Vec<String> = list.iter().take(max).cloned().collect();
    let mut s = shown.join(",");
    if list.len() > max {
        s.push_str(&format!(" + {} more...", list.len() - max));
    }
    s
}

fn pod_row(pod: &Pod, now: SimTime) -> Vec<String> {
    let spec = pod.spec.clone().unwrap_or_default();
    let st = pod.status.clone().unwrap_or_default();
    let total = spec.containers.len();
    let statuses = st.container_statuses.clone().unwrap_or_default();
    let ready = statuses
        .iter()
        .filter(|c| c.ready && c.state.as_ref().is_some_and(|s| s.running.is_some()))
        .count();
    let restarts: i32 = statuses.iter().map(|c| c.restart_count).sum();
    let ip = st
        .pod_ips
        .as_ref()
        .and_then(|v| v.first())
        .map(|p| p.ip.clone())
        .unwrap_or_else(|| "<none>".into());
    let node = spec.node_name.clone().unwrap_or_else(|| "<none>".into());
    let nominated = st
        .nominated_node_name
        .clone()
        .unwrap_or_else(|| "<none>".into());
    let gates = match &spec.readiness_gates {
        Some(g) if !g.is_empty() => {
            let conds = st.conditions.clone().unwrap_or_default();
            let ok = g
                .iter()
                .filter(|g| {
                    conds
                        .iter()
                        .any(|c| c.type_ == g.condition_type && c.status == "True")
                })
                .count();
            format!("{ok}/{}", g.len())
        }
        _ => "<none>".into(),
    };
    vec![
        pod.metadata.name.clone().unwrap_or_default(),
        format!("{ready}/{total}"),
        crate::sim::kubelet::status_reason(pod),
        restarts.to_string(),
        age(now, pod.metadata.creation_timestamp.as_ref()),
        ip,
        node,
        nominated,
        gates,
    ]
}

pub fn service_external_ip(svc: &Service, wide: bool) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let external = spec.external_ips.clone().unwrap_or_default();
    match spec.type_.as_deref().unwrap_or("ClusterIP") {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".into()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let mut ingress: Vec<String> = crate::sim::lb::ingress(svc)
                .iter()
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect();
            crate::sim::order::sort(&mut ingress);
            ingress.dedup();
            let mut lb = ingress.join(",");
            if !wide && lb.len() > 16 {
                lb = format!("{}...", lb.chars().take(13).collect::<String>());
            }
            let mut all: Vec<String> = Vec::new();
            if !lb.is_empty() {
                all.push(lb);
            }
            all.extend(external);
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => spec.external_name.unwrap_or_default(),
        _ => "<unknown>".into(),
    }
}

pub fn service_ports(svc: &Service) -> String {
    let ports = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default();
    if ports.is_empty() {
        return "<none>".into();
    }
    ports
        .iter()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            match p.node_port.filter(|n| *n > 0) {
                Some(np) => format!("{}:{np}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn containers_and_images(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> (String, String) {
    let cs = spec.map(|s| s.containers.clone()).unwrap_or_default();
    (
        cs.iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    )
}

pub fn node_roles(labels: Option<&std::collections::BTreeMap<String, String>>) -> String {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
            if !r.is_empty() {
                roles.push(r.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    crate::sim::order::sort(&mut roles);
    roles.dedup();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

/// The table of one kind.
pub fn table(kind: Kind, objs: &[&Object], now: SimTime) -> Table {
    let (headers, wide_from): (Vec<&'static str>, usize) = match kind {
        Kind::Pod => (
            vec![
                "NAME",
                "READY",
                "STATUS",
                "RESTARTS",
                "AGE",
                "IP",
                "NODE",
                "NOMINATED NODE",
                "READINESS GATES",
            ],
            5,
        ),
        Kind::Service => (
            vec![
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
                "SELECTOR",
            ],
            6,
        ),
        Kind::Endpoints => (vec!["NAME", "ENDPOINTS", "AGE"], 3),
        Kind::EndpointSlice => (vec!["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], 5),
        Kind::Deployment => (
            vec![
                "NAME",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "AGE",
                "CONTAINERS",
                "IMAGES",
                "SELECTOR",
            ],
            5,
        ),
        Kind::ReplicaSet => (
            vec![
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "AGE",
                "CONTAINERS",
                "IMAGES",
                "SELECTOR",
            ],
            5,
        ),
        Kind::Node => (
            vec![
                "NAME",
                "STATUS",
                "ROLES",
                "AGE",
                "VERSION",
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
            5,
        ),
        Kind::DaemonSet => (
            vec![
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
                "CONTAINERS",
                "IMAGES",
                "SELECTOR",
            ],
            8,
        ),
        Kind::Namespace => (vec!["NAME", "STATUS", "AGE"], 3),
        Kind::ConfigMap => (vec!["NAME", "DATA", "AGE"], 3),
    };
    let rows = objs.iter().map(|o| row(o, now)).collect();
    Table {
        headers,
        wide_from,
        rows,
    }
}

fn row(obj: &Object, now: SimTime) -> Vec<String> {
    let name = obj.name().to_string();
    let created = obj.meta().creation_timestamp.as_ref();
    match obj {
        Object::Pod(p) => pod_row(p, now),
        Object::Service(s) => {
            let spec = s.spec.clone().unwrap_or_default();
            let cip = spec
                .cluster_ips
                .as_ref()
                .and_then(|c| c.first().cloned())
                .unwrap_or_else(|| "<none>".into());
            vec![
                name,
                spec.type_.clone().unwrap_or_default(),
                cip,
                service_external_ip(s, false),
                service_ports(s),
                age(now, created),
                spec.selector
                    .as_ref()
                    .map(|sel| format_labels(Some(sel)))
                    .unwrap_or_else(|| "<none>".into()),
            ]
        }
        Object::Endpoints(e) => {
            let mut list = Vec::new();
            for s in e.subsets.iter().flatten() {
                let addrs = s.addresses.clone().unwrap_or_default();
                let ports = s.ports.clone().unwrap_or_default();
                if ports.is_empty() {
                    list.extend(addrs.iter().map(|a| a.ip.clone()));
                }
                for p in &ports {
                    for a in &addrs {
                        list.push(format!("{}:{}", a.ip, p.port));
                    }
                }
            }
            let cell = if list.is_empty() {
                "<none>".into()
            } else {
                list_with_more(&list, 3)
            };
            vec![name, cell, age(now, created)]
        }
        Object::EndpointSlice(s) => {
            let ports: Vec<String> = s
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    p.port
                        .map(|n| n.to_string())
                        .or(p.name.clone())
                        .unwrap_or_else(|| "*".into())
                })
                .collect();
            let addrs: Vec<String> = s
                .endpoints
                .iter()
                .flat_map(|e| e.addresses.clone())
                .collect();
            vec![
                name,
                s.address_type.clone(),
                if ports.is_empty() {
                    "<unset>".into()
                } else {
                    list_with_more(&ports, 3)
                },
                if addrs.is_empty() {
                    "<unset>".into()
                } else {
                    list_with_more(&addrs, 3)
                },
                age(now, created),
            ]
        }
        Object::Deployment(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            let st = d.status.clone().unwrap_or_default();
            let (c, i) = containers_and_images(spec.template.spec.as_ref());
            vec![
                name,
                format!(
                    "{}/{}",
                    st.ready_replicas.unwrap_or(0),
                    spec.replicas.unwrap_or(1)
                ),
                st.updated_replicas.unwrap_or(0).to_string(),
                st.available_replicas.unwrap_or(0).to_string(),
                age(now, created),
                c,
                i,
                crate::sim::controllers::selector_of(&spec.selector).to_string(),
            ]
        }
        Object::ReplicaSet(r) => {
            let spec = r.spec.clone().unwrap_or_default();
            let st = r.status.clone().unwrap_or_default();
            let (c, i) =
                containers_and_images(spec.template.as_ref().and_then(|t| t.spec.as_ref()));
            vec![
                name,
                spec.replicas.unwrap_or(1).to_string(),
                st.replicas.to_string(),
                st.ready_replicas.unwrap_or(0).to_string(),
                age(now, created),
                c,
                i,
                format_label_selector(Some(&spec.selector)),
            ]
        }
        Object::DaemonSet(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            let st = d.status.clone().unwrap_or_default();
            let (c, i) = containers_and_images(spec.template.spec.as_ref());
            vec![
                name,
                st.desired_number_scheduled.to_string(),
                st.current_number_scheduled.to_string(),
                st.number_ready.to_string(),
                st.updated_number_scheduled.unwrap_or(0).to_string(),
                st.number_available.unwrap_or(0).to_string(),
                format_labels(
                    spec.template
                        .spec
                        .as_ref()
                        .and_then(|s| s.node_selector.as_ref()),
                ),
                age(now, created),
                c,
                i,
                format_label_selector(Some(&spec.selector)),
            ]
        }
        Object::Node(n) => {
            let st = n.status.clone().unwrap_or_default();
            let ready = st.conditions.iter().flatten().find(|c| c.type_ == "Ready");
            let mut status = match ready {
                Some(c) if c.status == "True" => "Ready".to_string(),
                Some(_) => "NotReady".to_string(),
                None => "Unknown".to_string(),
            };
            if n.spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
            {
                status.push_str(",SchedulingDisabled");
            }
            let info = st.node_info.clone().unwrap_or_default();
            let ext = st
                .addresses
                .iter()
                .flatten()
                .find(|a| a.type_ == "ExternalIP")
                .map(|a| a.address.clone())
                .unwrap_or_else(|| "<none>".into());
            let or_unknown = |s: String| {
                if s.is_empty() {
                    "<unknown>".to_string()
                } else {
                    s
                }
            };
            vec![
                name,
                status,
                node_roles(n.metadata.labels.as_ref()),
                age(now, created),
                info.kubelet_version.clone(),
                node_internal_ip(n).unwrap_or_else(|| "<none>".into()),
                ext,
                or_unknown(info.os_image),
                or_unknown(info.kernel_version),
                or_unknown(info.container_runtime_version),
            ]
        }
        Object::Namespace(n) => vec![
            name,
            n.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default(),
            age(now, created),
        ],
        Object::ConfigMap(c) => vec![
            name,
            (c.data.as_ref().map_or(0, |d| d.len())
                + c.binary_data.as_ref().map_or(0, |d| d.len()))
            .to_string(),
            age(now, created),
        ],
    }
}
