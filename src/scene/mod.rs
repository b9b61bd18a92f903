//! The pure view model: what the lab draws, computed from the cluster. No browser here either:
//! this layer depends on `sim` only and is tested natively.

use crate::sim::kubelet::{node_internal_ip, pod_is_ready};
use crate::sim::object::{Kind, Object};
use crate::sim::Cluster;

#[derive(Debug, Clone, PartialEq, Hash)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    pub ip: String,
    pub ready: bool,
    pub status: String,
    /// `k=v,k=v` as `kubectl get pods --show-labels` prints them (what Services select on)
    pub labels: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    pub name: String,
    pub ip: String,
    pub pod_cidr: String,
    pub pods: Vec<PodView>,
}

pub mod layout;
/// The YAML line lexer lives in `sim` (its YAML 1.1 pass reads manifests with it); the editor
/// and the inspector highlight with it from here.
pub use crate::sim::yaml_tokens;

/// Nodes in list order, each with the pods scheduled on it (system pods included).
pub fn nodes(c: &Cluster) -> Vec<NodeView> {
    let mut out: Vec<NodeView> = c
        .list(Kind::Node, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::Node(n) => Some(NodeView {
                name: o.name().to_string(),
                ip: node_internal_ip(n).unwrap_or_default(),
                pod_cidr: n
                    .spec
                    .as_ref()
                    .and_then(|s| s.pod_cidr.clone())
                    .unwrap_or_default(),
                pods: Vec::new(),
            }),
            _ => None,
        })
        .collect();
    for o in c.list(Kind::Pod, None) {
        let Object::Pod(p) = o else { continue };
        let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            continue;
        };
        if let Some(n) = out.iter_mut().find(|n| n.name == node) {
            n.pods.push(PodView {
                namespace: o.namespace().to_string(),
                name: o.name().to_string(),
                ip: p
                    .status
                    .as_ref()
                    .and_then(|s| s.pod_ip.clone())
                    .unwrap_or_default(),
                ready: pod_is_ready(p),
                status: crate::sim::kubelet::status_reason(p),
                labels: p
                    .metadata
                    .labels
                    .iter()
                    .flatten()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(","),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_cluster_has_three_nodes_with_their_system_pods() {
        let c = Cluster::new(1);
        let n = nodes(&c);
        assert_eq!(
            n.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
            ["minikube", "minikube-m02", "minikube-m03"]
        );
        assert!(n[0]
            .pods
            .iter()
            .any(|p| p.name.starts_with("coredns-") && p.ip == "10.244.0.2" && p.ready));
        assert!(n[1].pods.iter().all(|p| p.ip == "192.168.49.3"));
    }
}
