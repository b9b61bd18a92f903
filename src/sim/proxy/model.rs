//! The service model as kube-proxy sees it (spec §3.1–3.3): one entry per Service port, the
//! endpoints from that Service's EndpointSlices, and `CategorizeEndpoints`.

use crate::sim::cluster::Cluster;
use crate::sim::endpoints::SERVICE_NAME_LABEL;
use crate::sim::names::{chain_hash, chain_name};
use crate::sim::net::{ip_port_string, parse_ip, Cidr};
use crate::sim::object::{Kind, Object};
use crate::sim::proxy::rules::Chain;
use k8s_openapi::api::core::v1::Service;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Proto {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Proto {
    pub fn parse(s: &str) -> Proto {
        match s {
            "UDP" => Proto::Udp,
            "SCTP" => Proto::Sctp,
            _ => Proto::Tcp,
        }
    }
    /// As iptables and the chain hash write it.
    pub fn lower(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Sctp => "sctp",
        }
    }
}

/// One Service port as kube-proxy programs it (`BaseServicePortInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct SvcPort {
    pub namespace: String,
    pub name: String,
    pub port_name: String,
    /// `ServicePortName.String()`: `ns/name` or `ns/name:port`.
    pub spn: String,
    pub proto: Proto,
    pub cluster_ip: u32,
    pub port: u16,
    pub node_port: u16,
    pub external_ips: Vec<u32>,
    pub lb_ips: Vec<u32>,
    pub source_ranges: Vec<Cidr>,
    pub internal_local: bool,
    /// eTP Local, only when the Service is externally accessible.
    pub external_local: bool,
    pub affinity_seconds: Option<u32>,
    pub health_check_node_port: u16,
    /// `portProtoHash`: the suffix shared by the SVC, SVL, EXT and FW chains.
    pub hash: String,
}

impl SvcPort {
    pub fn externally_accessible(&self) -> bool {
        self.node_port != 0 || !self.lb_ips.is_empty() || !self.external_ips.is_empty()
    }
    pub fn uses_cluster_endpoints(&self) -> bool {
        !self.internal_local || self.externally_accessible()
    }
    pub fn uses_local_endpoints(&self) -> bool {
        self.internal_local || (self.external_local && self.externally_accessible())
    }
    pub fn svc_chain(&self) -> Chain {
        self.own_chain("KUBE-SVC-")
    }
    pub fn svl_chain(&self) -> Chain {
        self.own_chain("KUBE-SVL-")
    }
    pub fn ext_chain(&self) -> Chain {
        self.own_chain("KUBE-EXT-")
    }
    pub fn fw_chain(&self) -> Chain {
        self.own_chain("KUBE-FW-")
    }
    fn own_chain(&self, prefix: &str) -> Chain {
        Chain::Own(Arc::from(format!("{prefix}{}", self.hash)))
    }
    pub fn sep_chain(&self, ep: &Ep) -> Chain {
        Chain::Own(chain_name(
            "KUBE-SEP-",
            &[&self.spn, self.proto.lower(), &ep.addr],
        ))
    }
}

/// One endpoint of one Service port (`BaseEndpointInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct Ep {
    pub ip: u32,
    pub port: u16,
    /// `IP:port`, the sort key and part of the SEP chain hash.
    pub addr: String,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    pub node_name: Option<String>,
    pub zone_hints: Vec<String>,
    pub node_hints: Vec<String>,
}

/// `ShouldSkipService` and `newBaseServiceInfo`: the ports kube-proxy programs for a Service.
/// Headless and ExternalName Services, and ports without a usable clusterIP, get none.
pub fn service_ports(svc: &Service) -> Vec<SvcPort> {
    let Some(spec) = svc.spec.as_ref() else {
        return Vec::new();
    };
    let ty = spec.type_.as_deref().unwrap_or("ClusterIP");
    if ty == "ExternalName" {
        return Vec::new();
    }
    let Some(cluster_ip) = spec
        .cluster_ip
        .as_deref()
        .filter(|ip| !ip.is_empty() && *ip != "None")
        .and_then(parse_ip)
    else {
        return Vec::new();
    };
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let external_ips: Vec<u32> = spec
        .external_ips
        .iter()
        .flatten()
        .filter_map(|s| parse_ip(s))
        .collect();
    let lb_ips: Vec<u32> = crate::sim::lb::ingress(svc)
        .iter()
        .filter(|i| i.ip_mode.as_deref() != Some("Proxy"))
        .filter_map(|i| i.ip.as_deref().and_then(parse_ip))
        .collect();
    let source_ranges: Vec<Cidr> = spec
        .load_balancer_source_ranges
        .iter()
        .flatten()
        .filter_map(|r| {
            Cidr::parse(r).or_else(|| {
                parse_ip(r).map(|ip| Cidr {
                    base: ip,
                    prefix: 32,
                })
            })
        })
        .collect();
    let affinity_seconds = (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
        spec.session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds)
            .unwrap_or(10800)
            .max(0) as u32
    });
    let etp_local = spec.external_traffic_policy.as_deref() == Some("Local");
    let itp_local = spec.internal_traffic_policy.as_deref() == Some("Local");
    spec.ports
        .iter()
        .flatten()
        .map(|p| {
            let port_name = p.name.clone().unwrap_or_default();
            let spn = if port_name.is_empty() {
                format!("{ns}/{name}")
            } else {
                format!("{ns}/{name}:{port_name}")
            };
            let proto = Proto::parse(p.protocol.as_deref().unwrap_or("TCP"));
            let mut sp = SvcPort {
                namespace: ns.clone(),
                name: name.clone(),
                port_name,
                hash: chain_hash(&format!("{spn}{}", proto.lower())),
                spn,
                proto,
                cluster_ip,
                port: p.port.clamp(0, 65535) as u16,
                node_port: p.node_port.unwrap_or(0).clamp(0, 65535) as u16,
                external_ips: external_ips.clone(),
                lb_ips: lb_ips.clone(),
                source_ranges: source_ranges.clone(),
                internal_local: itp_local,
                external_local: false,
                affinity_seconds,
                health_check_node_port: 0,
            };
            // eTP is ignored for a Service nobody outside can reach
            sp.external_local = etp_local && sp.externally_accessible();
            if ty == "LoadBalancer" && sp.external_local {
                sp.health_check_node_port =
                    spec.health_check_node_port.unwrap_or(0).clamp(0, 65535) as u16;
            }
            sp
        })
        .collect()
}

/// The endpoints of one Service port from every EndpointSlice of the Service (§3.2): merged by
/// `IP:port` and sorted by that string.
pub fn endpoints_for(c: &Cluster, sp: &SvcPort) -> Vec<Ep> {
    let mut out: Vec<Ep> = Vec::new();
    let names = c.index.slices_for(&sp.namespace, &sp.name);
    for slice_name in names.into_iter().flatten() {
        let Some(Object::EndpointSlice(s)) = c.get(Kind::EndpointSlice, &sp.namespace, slice_name)
        else {
            continue;
        };
        let labelled = s
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(SERVICE_NAME_LABEL))
            .is_some_and(|n| *n == sp.name);
        if !labelled || s.address_type != "IPv4" {
            continue;
        }
        let Some(port) = s.ports.iter().flatten().find(|p| {
            p.name.as_deref().unwrap_or("") == sp.port_name
                && Proto::parse(p.protocol.as_deref().unwrap_or("TCP")) == sp.proto
        }) else {
            continue;
        };
        let Some(port) = port.port.filter(|p| (1..=65535).contains(p)) else {
            continue;
        };
        out.reserve(s.endpoints.len());
        for e in &s.endpoints {
            let Some(ip) = e.addresses.first().and_then(|a| parse_ip(a)) else {
                continue;
            };
            let addr = ip_port_string(ip, port as u16);
            let cond = e.conditions.as_ref();
            let hints = e.hints.as_ref();
            out.push(Ep {
                ip,
                port: port as u16,
                addr,
                ready: cond.and_then(|c| c.ready).unwrap_or(true),
                serving: cond.and_then(|c| c.serving).unwrap_or(true),
                terminating: cond.and_then(|c| c.terminating).unwrap_or(false),
                node_name: e.node_name.clone(),
                zone_hints: hints
                    .and_then(|h| h.for_zones.as_ref())
                    .into_iter()
                    .flatten()
                    .map(|z| z.name.clone())
                    .collect(),
                node_hints: hints
                    .and_then(|h| h.for_nodes.as_ref())
                    .into_iter()
                    .flatten()
                    .map(|n| n.name.clone())
                    .collect(),
            });
        }
    }
    // the same IP:port in two slices is one endpoint (the first seen)
    crate::sim::order::sort_by(&mut out, |a, b| a.addr.cmp(&b.addr));
    out.dedup_by(|later, first| later.addr == first.addr);
    out
}

/// What `CategorizeEndpoints` returns, as indices into the endpoint list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Categorized {
    /// `None` when the Service never uses Cluster policy.
    pub cluster: Option<Vec<usize>>,
    /// `None` when the Service never uses Local policy.
    pub local: Option<Vec<usize>>,
    /// Sorted by `IP:port`.
    pub all_reachable: Vec<usize>,
    pub has_any: bool,
}

/// `CategorizeEndpoints` (pkg/proxy/topology.go), for the kube-proxy on `node` in `zone`.
pub fn categorize(sp: &SvcPort, eps: &[Ep], node: &str, zone: &str) -> Categorized {
    let mut r = Categorized::default();
    if eps.is_empty() {
        return r;
    }
    let is_local = |e: &Ep| e.node_name.as_deref() == Some(node);
    let mode = if sp.uses_cluster_endpoints() {
        topology_mode(eps, node, zone)
    } else {
        Topology::None
    };
    let mut serving_terminating_local = false;
    if sp.uses_cluster_endpoints() {
        // sized up front: this runs for every Service port on every sync
        let mut cluster: Vec<usize> = Vec::with_capacity(eps.len());
        cluster
            .extend((0..eps.len()).filter(|&i| eps[i].ready && mode.allows(&eps[i], node, zone)));
        if cluster.is_empty() {
            cluster = (0..eps.len())
                .filter(|&i| eps[i].serving && eps[i].terminating)
                .collect();
        }
        r.has_any = !cluster.is_empty();
        r.cluster = Some(cluster);
    }
    if !sp.uses_local_endpoints() {
        r.all_reachable = r.cluster.clone().unwrap_or_default();
        return r;
    }
    let (mut local_ready, mut local_st) = (false, false);
    for e in eps {
        if e.ready {
            r.has_any = true;
            local_ready |= is_local(e);
        } else if e.serving && e.terminating {
            r.has_any = true;
            local_st |= is_local(e);
        }
    }
    let local: Vec<usize> = if local_ready {
        (0..eps.len())
            .filter(|&i| is_local(&eps[i]) && eps[i].ready)
            .collect()
    } else if local_st {
        serving_terminating_local = true;
        (0..eps.len())
            .filter(|&i| is_local(&eps[i]) && eps[i].serving && eps[i].terminating)
            .collect()
    } else {
        Vec::new()
    };
    r.local = Some(local.clone());
    let Some(cluster) = r.cluster.clone() else {
        r.all_reachable = local;
        return r;
    };
    if mode == Topology::None && !serving_terminating_local {
        r.all_reachable = cluster;
        return r;
    }
    let mut all: Vec<usize> = cluster.into_iter().chain(local).collect();
    all.sort_unstable();
    all.dedup();
    r.all_reachable = all;
    r
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Topology {
    None,
    SameNode,
    SameZone,
}

impl Topology {
    fn allows(self, e: &Ep, node: &str, zone: &str) -> bool {
        match self {
            Topology::None => true,
            Topology::SameNode => e.node_hints.iter().any(|n| n == node),
            Topology::SameZone => e.zone_hints.iter().any(|z| z == zone),
        }
    }
}

/// `topologyModeFromHints`, with PreferSameTrafficDistribution on (beta, default in v1.34).
fn topology_mode(eps: &[Ep], node: &str, zone: &str) -> Topology {
    let (mut any_ready, mut for_node, mut all_node, mut for_zone, mut all_zone) =
        (false, false, true, false, true);
    for e in eps.iter().filter(|e| e.ready) {
        any_ready = true;
        if e.node_hints.is_empty() {
            all_node = false;
        } else if e.node_hints.iter().any(|n| n == node) {
            for_node = true;
        }
        if e.zone_hints.is_empty() {
            all_zone = false;
        } else if e.zone_hints.iter().any(|z| z == zone) {
            for_zone = true;
        }
    }
    if !any_ready {
        Topology::None
    } else if all_node && for_node {
        Topology::SameNode
    } else if all_zone && for_zone {
        Topology::SameZone
    } else {
        Topology::None
    }
}
