//! `kubectl port-forward` as the cluster sees it: kubectl listens on the trainer's machine and
//! carries each connection in a stream through the API server to the kubelet of the pod's node,
//! which connects to the port on localhost inside the pod's network namespace
//! (k8s.io/client-go/tools/portforward; the kubelet's streaming server). No Service address,
//! no kube-proxy rule and no load balancing: a forward to a Service reaches the one pod kubectl
//! picked when it started.

use crate::sim::cluster::Cluster;
use crate::sim::kubelet::{node_internal_ip, pod_is_ready};
use crate::sim::net::parse_ip;
use crate::sim::object::{Kind, Object};
use crate::sim::proxy::walk::{Addrs, Client, Hop, HopKind, Outcome, Walk, OUTSIDE_IP};
use k8s_openapi::api::core::v1::Pod;

const LOOPBACK: u32 = 0x7f00_0001;

/// One running `kubectl port-forward`.
#[derive(Debug, Clone, PartialEq)]
pub struct PortForward {
    /// the process on the trainer's machine (from the cluster's generator)
    pub pid: u32,
    pub namespace: String,
    pub pod: String,
    /// the addresses kubectl listens on, as `parseAddresses` sorts them (`127.0.0.1`, `::1`)
    pub addresses: Vec<String>,
    /// (local, remote) for every port that got its listeners
    pub ports: Vec<(u16, u16)>,
}

/// A listener kubectl could not open, as Go's `net.Listen` reports it.
fn listen_error(addr: &str, port: u16, why: &str) -> String {
    let (proto, host) = if addr.contains(':') {
        ("tcp6", format!("[{addr}]"))
    } else {
        ("tcp4", addr.to_string())
    };
    format!("unable to create listener: Error listen {proto} {host}:{port}: bind: {why}")
}

/// Whether an address belongs to the trainer's machine (loopback, the wildcard, or its address
/// on the minikube network).
fn host_has(addr: &str) -> bool {
    match parse_ip(addr) {
        Some(ip) => ip >> 24 == 127 || ip == 0 || ip == OUTSIDE_IP,
        None => matches!(addr, "::1" | "::"),
    }
}

/// Whether two listeners on the same port collide (a wildcard takes every address of its family).
fn collides(a: &str, b: &str) -> bool {
    let v6 = |x: &str| x.contains(':');
    if v6(a) != v6(b) {
        return false;
    }
    a == b || matches!(a, "0.0.0.0" | "::") || matches!(b, "0.0.0.0" | "::")
}

impl Cluster {
    /// Opens kubectl's listeners for each (local, remote) port on each address (`listenOnPort`):
    /// a port counts when one of the localhost pair or every explicit address could listen.
    /// Returns the `Forwarding from …` lines and, per port that got none, its error; the
    /// forward runs when at least one port listens. Local port 0 takes one the kernel picks.
    pub fn start_port_forward(
        &mut self,
        namespace: &str,
        pod: &str,
        addresses: &[(String, bool)],
        ports: &[(u16, u16)],
    ) -> (Vec<String>, Vec<String>) {
        use rand::Rng;
        let mut lines = Vec::new();
        let mut errors = Vec::new();
        let mut opened = Vec::new();
        for &(local, remote) in ports {
            let local = if local == 0 {
                self.rng.random_range(32768..61000)
            } else {
                local
            };
            let mut errs = Vec::new();
            let (mut all_ok, mut all_failed, mut any_failed) = (0, 0, 0);
            for (addr, localhost) in addresses {
                let taken = self.port_forwards.iter().any(|f| {
                    f.ports.iter().any(|&(l, _)| l == local)
                        && f.addresses.iter().any(|a| collides(a, addr))
                });
                let why = if !host_has(addr) {
                    Some("cannot assign requested address")
                } else if local < 1024 {
                    // kubectl runs as the trainer's own user on a Linux machine
                    Some("permission denied")
                } else if taken {
                    Some("address already in use")
                } else {
                    None
                };
                match why {
                    Some(why) => {
                        errs.push(listen_error(addr, local, why));
                        if *localhost {
                            all_failed += 1;
                        } else {
                            any_failed += 1;
                        }
                    }
                    None => {
                        let host = if addr.contains(':') {
                            format!("[{addr}]")
                        } else {
                            addr.clone()
                        };
                        lines.push(format!("Forwarding from {host}:{local} -> {remote}"));
                        if *localhost {
                            all_ok += 1;
                        }
                    }
                }
            }
            if (all_ok == 0 && all_failed > 0) || any_failed > 0 {
                errors.push(format!(
                    "Unable to listen on port {local}: Listeners failed to create with the following errors: [{}]",
                    errs.join(" ")
                ));
            } else {
                opened.push((local, remote));
            }
        }
        if !opened.is_empty() {
            let pid = self.rng.random_range(2000..200_000);
            self.port_forwards.push(PortForward {
                pid,
                namespace: namespace.to_string(),
                pod: pod.to_string(),
                addresses: addresses.iter().map(|(a, _)| a.clone()).collect(),
                ports: opened,
            });
        }
        (lines, errors)
    }

    /// kubectl exits: its listeners close.
    pub fn stop_port_forward(&mut self, pid: u32) -> bool {
        let before = self.port_forwards.len();
        self.port_forwards.retain(|f| f.pid != pid);
        self.port_forwards.len() != before
    }

    /// The forward listening on the trainer's machine at `ip:port`.
    pub fn port_forward_at(&self, ip: u32, port: u16) -> Option<&PortForward> {
        self.port_forwards.iter().find(|f| {
            f.ports.iter().any(|&(l, _)| l == port)
                && f.addresses.iter().any(|a| match parse_ip(a) {
                    Some(0) => ip >> 24 == 127 || ip == OUTSIDE_IP,
                    Some(a) => a == ip,
                    None => false,
                })
        })
    }

    /// A connection from the trainer's machine to one of its own addresses: taken by a
    /// port-forward listening there, refused otherwise.
    pub(crate) fn walk_to_host(&self, dst: u32, dport: u16) -> Walk {
        let sent = Addrs {
            src: if dst >> 24 == 127 { LOOPBACK } else { dst },
            dst,
            dport,
        };
        let send = |note: String| Hop {
            kind: HopKind::Send,
            node: None,
            stage: "trainer's machine".into(),
            rules: Vec::new(),
            before: sent,
            after: sent,
            note,
        };
        let refused = |why: String| Walk {
            client: Client::Outside,
            entry_node: None,
            sent,
            seen: None,
            masqueraded: false,
            hops: vec![send(why.clone())],
            outcome: Outcome::Refused { why },
            forwarded: None,
        };
        let Some(f) = self.port_forward_at(dst, dport) else {
            return refused(format!(
                "nothing listens on {}:{dport} on the trainer's machine (a `kubectl port-forward` would)",
                crate::sim::net::ip_to_string(dst)
            ));
        };
        let remote = f
            .ports
            .iter()
            .find(|&&(l, _)| l == dport)
            .map_or(dport, |&(_, r)| r);
        let (ns, name) = (f.namespace.clone(), f.pod.clone());
        let api = self.list(Kind::Node, None).into_iter().next();
        let node_ip = |o: Option<&Object>| match o {
            Some(Object::Node(n)) => node_internal_ip(n).and_then(|s| parse_ip(&s)),
            _ => None,
        };
        let api_node = api.map(|n| n.name().to_string());
        let api_ip = node_ip(api).unwrap_or(0);
        let pod_node = match self.get(Kind::Pod, &ns, &name) {
            Some(Object::Pod(p)) => p.spec.as_ref().and_then(|s| s.node_name.clone()),
            _ => None,
        };
        let kubelet_ip = pod_node
            .as_deref()
            .and_then(|n| node_ip(self.get(Kind::Node, "", n)))
            .unwrap_or(0);
        let inside = Addrs {
            src: LOOPBACK,
            dst: LOOPBACK,
            dport: remote,
        };
        let mut hops = vec![
            send(format!(
                "kubectl port-forward (pid {}) accepts the connection on port {dport}",
                f.pid
            )),
            Hop {
                kind: HopKind::Stream,
                node: api_node.clone(),
                stage: "kube-apiserver".into(),
                rules: Vec::new(),
                before: Addrs {
                    src: OUTSIDE_IP,
                    dst: api_ip,
                    dport: 8443,
                },
                after: Addrs {
                    src: api_ip,
                    dst: kubelet_ip,
                    dport: 10250,
                },
                note: format!(
                    "kubectl carries it in a stream of its HTTPS connection to the API server, which opens pods/{name}/portforward on the kubelet: no Service, no kube-proxy rule, no load balancing"
                ),
            },
        ];
        let Some(node) = pod_node else {
            return Walk {
                client: Client::Outside,
                entry_node: api_node,
                sent,
                seen: None,
                masqueraded: false,
                hops,
                outcome: Outcome::Served {
                    pod: Some((ns, name)),
                    node: String::new(),
                },
                forwarded: Some(dport),
            };
        };
        hops.push(Hop {
            kind: HopKind::Stream,
            node: Some(node.clone()),
            stage: "kubelet".into(),
            rules: Vec::new(),
            before: inside,
            after: inside,
            note: format!(
                "the container runtime connects to localhost:{remote} inside pod {name}'s network namespace: the server sees the client 127.0.0.1"
            ),
        });
        hops.push(Hop {
            kind: HopKind::Arrive,
            node: Some(node.clone()),
            stage: format!("pod {name}"),
            rules: Vec::new(),
            before: inside,
            after: inside,
            note: String::new(),
        });
        Walk {
            client: Client::Outside,
            entry_node: api_node,
            sent,
            seen: Some(inside),
            masqueraded: false,
            hops,
            outcome: Outcome::Served {
                pod: Some((ns, name)),
                node,
            },
            forwarded: Some(dport),
        }
    }
}

/// The pod `kubectl port-forward TYPE/NAME` (and `exec`, `logs`, `attach`) picks for an object
/// with a selector (`GetFirstPod` sorted by `sort.Reverse(podutils.ActivePods)`): assigned
/// before unassigned, Running before Unknown before Pending, ready before not, ready for longer,
/// fewer restarts, older; ties in list order.
pub fn first_pod<'a>(pods: &[&'a Pod]) -> Option<&'a Pod> {
    let phase = |p: &Pod| match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Running") => 2,
        Some("Unknown") => 1,
        _ => 0,
    };
    let ready_since = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready" && c.status == "True"))
            .and_then(|c| c.last_transition_time.as_ref())
            .map(|t| t.0.timestamp())
    };
    let restarts = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .map_or(0, |cs| {
                cs.iter().map(|c| c.restart_count).max().unwrap_or(0)
            })
    };
    let created = |p: &Pod| {
        p.metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.timestamp())
    };
    // the most active first: a key that sorts ascending
    let mut v: Vec<&Pod> = pods.to_vec();
    crate::sim::order::sort_by(&mut v, |a, b| {
        let assigned = |p: &Pod| {
            p.spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some_and(|n| !n.is_empty())
        };
        (assigned(b), phase(b), pod_is_ready(b))
            .cmp(&(assigned(a), phase(a), pod_is_ready(a)))
            // ready for longer first: an earlier transition
            .then_with(|| match (ready_since(a), ready_since(b)) {
                (Some(x), Some(y)) if pod_is_ready(a) && pod_is_ready(b) => x.cmp(&y),
                _ => std::cmp::Ordering::Equal,
            })
            .then_with(|| restarts(a).cmp(&restarts(b)))
            // older first; a pod without a creation time is "newest"
            .then_with(|| match (created(a), created(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
    });
    v.first().copied()
}
