//! Where the cluster view draws things: nodes as regions side by side, each pod in a slot of its
//! node, Services in a row above with links to the pods they select, the trainer's machine, and
//! requests as paths. Pure geometry, tested natively. Slots are sticky: a pod keeps its slot while
//! it exists, and a new pod takes the first free one, so adding a pod moves nothing else.

use crate::scene::{NodeView, PodView};
use crate::sim::object::{Kind, Object};
use crate::sim::Cluster;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

pub const NODE_W: f64 = 330.0;
pub const NODE_GAP: f64 = 24.0;
pub const NODE_Y: f64 = 150.0;
pub const NODE_HEAD: f64 = 56.0;
/// a pod's box: its name, its address and state, its labels
pub const POD_H: f64 = 44.0;
pub const POD_GAP: f64 = 4.0;
pub const SVC_W: f64 = 210.0;
pub const SVC_H: f64 = 52.0;
pub const SVC_Y: f64 = 24.0;
pub const MARGIN: f64 = 20.0;

/// Which slot each pod holds in its node, kept between frames.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slots {
    by_node: BTreeMap<String, Vec<Option<String>>>,
}

impl Slots {
    /// Frees the slots of pods that are gone and gives new pods the first free slot (new pods
    /// in name order, so the same cluster always lays out the same way).
    pub fn update(&mut self, nodes: &[NodeView]) {
        let names: BTreeSet<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        self.by_node.retain(|n, _| names.contains(n.as_str()));
        for n in nodes {
            let slots = self.by_node.entry(n.name.clone()).or_default();
            let present: BTreeSet<String> = n.pods.iter().map(pod_key).collect();
            for s in slots.iter_mut() {
                if s.as_ref().is_some_and(|k| !present.contains(k)) {
                    *s = None;
                }
            }
            let placed: BTreeSet<String> = slots.iter().flatten().cloned().collect();
            for key in present.iter().filter(|k| !placed.contains(*k)) {
                match slots.iter_mut().find(|s| s.is_none()) {
                    Some(free) => *free = Some(key.clone()),
                    None => slots.push(Some(key.clone())),
                }
            }
            while slots.last().is_some_and(|s| s.is_none()) {
                slots.pop();
            }
        }
    }

    pub fn slot(&self, node: &str, pod: &str) -> Option<usize> {
        self.by_node
            .get(node)?
            .iter()
            .position(|s| s.as_deref() == Some(pod))
    }

    fn rows(&self) -> usize {
        self.by_node.values().map(Vec::len).max().unwrap_or(0)
    }
}

pub fn pod_key(p: &PodView) -> String {
    format!("{}/{}", p.namespace, p.name)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// Drawn items are keyed by a hash of what they are drawn from; coordinates hash by their bits.
fn hash_point<H: Hasher>((x, y): (f64, f64), state: &mut H) {
    x.to_bits().hash(state);
    y.to_bits().hash(state);
}

impl Hash for Rect {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_point((self.x, self.y), state);
        hash_point((self.w, self.h), state);
    }
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub view: NodeView,
    pub rect: Rect,
    /// where kube-proxy sits in the drawing (the node's header)
    pub proxy: (f64, f64),
}

#[derive(Debug, Clone, PartialEq, Hash)]
pub struct PodBox {
    pub key: String,
    pub view: PodView,
    pub node: String,
    pub rect: Rect,
}

impl PodBox {
    /// Where requests leave and reach the pod: inside its box at the right end, clear of its
    /// name and labels (and of the middle, where one clicks to inspect the pod).
    pub fn anchor(&self) -> (f64, f64) {
        (
            self.rect.x + self.rect.w - 14.0,
            self.rect.y + self.rect.h / 2.0,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Hash)]
pub struct ServiceBox {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub cluster_ip: String,
    /// `80:30080/TCP` style, as kubectl prints PORT(S)
    pub ports: String,
    pub external: String,
    /// the cluster's DNS Service: its ClusterIP is the nameserver in every pod's resolv.conf
    pub dns: bool,
    pub rect: Rect,
}

/// A Service → pod line: `ready` when the pod is a ready endpoint, else selected but not ready.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub service: String,
    pub pod: String,
    pub ready: bool,
    pub from: (f64, f64),
    pub to: (f64, f64),
}

impl Hash for Link {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.service.hash(state);
        self.pod.hash(state);
        self.ready.hash(state);
        hash_point(self.from, state);
        hash_point(self.to, state);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<NodeBox>,
    pub pods: Vec<PodBox>,
    pub services: Vec<ServiceBox>,
    pub links: Vec<Link>,
    /// the trainer's machine, outside the cluster
    pub outside: Rect,
    /// the load balancer (a cloud's, as `kubectl patch --subresource=status` imitates one), when
    /// a Service has an ingress IP outside the service CIDR: where it is drawn and its addresses
    pub balancer: Option<(Rect, Vec<String>)>,
    /// `minikube tunnel`'s route on the trainer's machine, while it runs
    pub tunnel: Option<String>,
}

impl Layout {
    pub fn pod(&self, key: &str) -> Option<&PodBox> {
        self.pods.iter().find(|p| p.key == key)
    }
    pub fn service(&self, key: &str) -> Option<&ServiceBox> {
        self.services.iter().find(|s| s.key == key)
    }
    pub fn node(&self, name: &str) -> Option<&NodeBox> {
        self.nodes.iter().find(|n| n.name() == name)
    }
}

impl NodeBox {
    pub fn name(&self) -> &str {
        &self.view.name
    }
}

/// The drawing of the cluster now, with pods in their `slots` (updated first).
pub fn layout(c: &Cluster, slots: &mut Slots) -> Layout {
    let views = crate::scene::nodes(c);
    slots.update(&views);
    let rows = slots.rows().max(4);
    let node_h = NODE_HEAD + rows as f64 * (POD_H + POD_GAP) + 8.0;
    let mut nodes = Vec::new();
    let mut pods = Vec::new();
    for (i, v) in views.iter().enumerate() {
        let x = MARGIN + i as f64 * (NODE_W + NODE_GAP);
        let rect = Rect {
            x,
            y: NODE_Y,
            w: NODE_W,
            h: node_h,
        };
        for p in &v.pods {
            let key = pod_key(p);
            let slot = slots.slot(&v.name, &key).unwrap_or(0);
            pods.push(PodBox {
                key,
                view: p.clone(),
                node: v.name.clone(),
                rect: Rect {
                    x: x + 10.0,
                    y: NODE_Y + NODE_HEAD + slot as f64 * (POD_H + POD_GAP),
                    w: NODE_W - 20.0,
                    h: POD_H,
                },
            });
        }
        nodes.push(NodeBox {
            view: v.clone(),
            proxy: (x + NODE_W - 20.0, NODE_Y + 18.0),
            rect,
        });
    }
    // each drawn pod's labels, looked up once for every Service's selector
    let pod_labels: Vec<Option<&BTreeMap<String, String>>> = pods
        .iter()
        .map(|p| {
            c.get(Kind::Pod, &p.view.namespace, &p.view.name)
                .and_then(|o| o.meta().labels.as_ref())
        })
        .collect();
    let mut services = Vec::new();
    let mut links = Vec::new();
    let mut lb_ips: Vec<String> = Vec::new();
    let list = c.list(Kind::Service, None);
    for (j, o) in list.iter().enumerate() {
        let Object::Service(s) = o else { continue };
        let key = format!("{}/{}", o.namespace(), o.name());
        let rect = Rect {
            x: MARGIN + j as f64 * (SVC_W + 12.0),
            y: SVC_Y,
            w: SVC_W,
            h: SVC_H,
        };
        let default_spec = Default::default();
        let spec: &k8s_openapi::api::core::v1::ServiceSpec =
            s.spec.as_ref().unwrap_or(&default_spec);
        let ports = spec
            .ports
            .iter()
            .flatten()
            .map(|p| {
                let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                match p.node_port {
                    Some(np) => format!("{}:{np}/{proto}", p.port),
                    None => format!("{}/{proto}", p.port),
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        let ingress: Vec<String> = crate::sim::lb::ingress(s)
            .iter()
            .filter_map(|i| i.ip.clone())
            .collect();
        // an ingress inside the service CIDR is `minikube tunnel`'s (the ClusterIP, reached by
        // a route to the control-plane node): no load balancer stands in front of it
        lb_ips.extend(
            ingress
                .iter()
                .filter(|ip| {
                    !crate::sim::net::parse_ip(ip)
                        .is_some_and(|v| c.config.service_cidr.contains(v))
                })
                .cloned(),
        );
        let external: Vec<String> = ingress
            .into_iter()
            .chain(spec.external_ips.iter().flatten().cloned())
            .collect();
        // as kubectl's EXTERNAL-IP: a LoadBalancer nobody gave an address yet is `<pending>`
        let external = if external.is_empty() && spec.type_.as_deref() == Some("LoadBalancer") {
            vec!["<pending>".to_string()]
        } else {
            external
        };
        // which pods the selector picks, and which of them are ready endpoints
        let ready_ips = ready_endpoint_ips(c, o.namespace(), o.name());
        if let Some(sel) = spec.selector.as_ref().filter(|s| !s.is_empty()) {
            for (p, labels) in pods.iter().zip(&pod_labels) {
                if p.view.namespace != o.namespace()
                    || !sel
                        .iter()
                        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                {
                    continue;
                }
                links.push(Link {
                    service: key.clone(),
                    pod: p.key.clone(),
                    ready: ready_ips.contains(&p.view.ip),
                    from: (rect.x + rect.w / 2.0, rect.y + rect.h),
                    to: (p.rect.x, p.rect.y + p.rect.h / 2.0),
                });
            }
        }
        services.push(ServiceBox {
            key,
            name: o.name().to_string(),
            kind: spec.type_.clone().unwrap_or_else(|| "ClusterIP".into()),
            cluster_ip: spec.cluster_ip.clone().unwrap_or_default(),
            ports,
            external: external.join(","),
            dns: spec
                .cluster_ip
                .as_deref()
                .and_then(crate::sim::net::parse_ip)
                == Some(c.config.dns_ip),
            rect,
        });
    }
    let services_w = MARGIN + services.len() as f64 * (SVC_W + 12.0);
    let nodes_w = MARGIN + nodes.len() as f64 * (NODE_W + NODE_GAP);
    let outside = Rect {
        x: nodes_w.max(services_w),
        y: NODE_Y,
        w: 170.0,
        h: 60.0,
    };
    let balancer = (!lb_ips.is_empty()).then(|| {
        let rect = Rect {
            x: outside.x,
            y: outside.y + outside.h + 40.0,
            w: outside.w,
            h: 44.0 + 14.0 * lb_ips.len() as f64,
        };
        (rect, lb_ips)
    });
    let height = balancer
        .as_ref()
        .map_or(0.0, |(r, _)| r.y + r.h + MARGIN)
        .max(NODE_Y + node_h + MARGIN);
    let tunnel = c
        .tunnel_route()
        .map(|(cidr, gateway, _)| format!("tunnel: {cidr} via {gateway}"));
    Layout {
        width: outside.x + outside.w + MARGIN,
        height,
        nodes,
        pods,
        services,
        links,
        outside,
        balancer,
        tunnel,
    }
}

/// The addresses of a Service's ready endpoints, from its EndpointSlices.
fn ready_endpoint_ips(c: &Cluster, ns: &str, name: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let slices = c.index.slices_for(ns, name);
    for s in slices.into_iter().flatten() {
        if let Some(Object::EndpointSlice(es)) = c.get(Kind::EndpointSlice, ns, s) {
            for e in &es.endpoints {
                if e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true) {
                    out.extend(e.addresses.iter().cloned());
                }
            }
        }
    }
    out
}

/// A point a request's dot passes, and the packet's addresses on its way from there to the
/// next point (as the client sent it, then as each node's rules rewrote it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waypoint {
    pub at: (f64, f64),
    pub addrs: crate::sim::proxy::walk::Addrs,
    pub leg: Leg,
}

/// What travels the leg that starts at a waypoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leg {
    /// the packet, with the waypoint's addresses
    Packet,
    /// a DNS answer on its way back to the client: the waypoint's addresses are the query as
    /// the client sent it (conntrack un-NATs the answer to come from where it was sent)
    Answer,
    /// nothing the client gets: a query that got no answer, given up on
    GaveUp,
}

impl Waypoint {
    fn new(at: (f64, f64), addrs: crate::sim::proxy::walk::Addrs) -> Waypoint {
        Waypoint {
            at,
            addrs,
            leg: Leg::Packet,
        }
    }
}

/// The points of a whole request: the DNS query to kube-dns and the answer back to the client
/// (when a name was looked up), then the connection (when there was one).
pub fn trace_path(
    l: &Layout,
    dns: Option<&crate::sim::proxy::walk::Walk>,
    conn: Option<&crate::sim::proxy::walk::Walk>,
) -> Vec<Waypoint> {
    let mut pts = Vec::new();
    if let Some(d) = dns {
        let query = request_path(l, d);
        pts.extend(query.iter().copied());
        if let (Some(client), true) = (query.first(), query.len() > 1) {
            // the answer goes back from where the query stopped (if it was answered)
            if let Some(last) = pts.last_mut() {
                last.addrs = d.sent;
                last.leg = match d.outcome {
                    crate::sim::proxy::walk::Outcome::Served { .. } => Leg::Answer,
                    _ => Leg::GaveUp,
                };
            }
            // back at the client with the answer: from there the connection starts
            pts.push(Waypoint::new(
                client.at,
                conn.map_or(client.addrs, |c| c.sent),
            ));
        }
    }
    if let Some(c) = conn {
        let p = request_path(l, c);
        let skip =
            usize::from(!pts.is_empty() && p.first().map(|w| w.at) == pts.last().map(|w| w.at));
        pts.extend(p.into_iter().skip(skip));
    }
    pts
}

/// The height of the view's box for a drawing `need` tall, given the box's height `before`: it
/// stays while the drawing fits it and fills more than half of it, and grows by a quarter more
/// than needed. Why: whenever an SVG's box or viewBox changes size, the browser lays out every
/// text in it again (15–50 ms with a 200-object manifest), and a box that grew by one pod's row
/// at a time did that at every new pod, and moved everything under it.
pub fn view_box_height(need: f64, before: Option<f64>) -> f64 {
    match before {
        Some(h) if need <= h && need > h / 2.0 => h,
        Some(h) if need > h => (need * 1.25).ceil(),
        _ => need.ceil(),
    }
}

/// Where a dot that travels `pts` at one speed (as SVG's `animateMotion` does by default) is
/// after `share` (0 to 1) of its flight.
pub fn paced_point(pts: &[(f64, f64)], share: f64) -> (f64, f64) {
    let len = |a: (f64, f64), b: (f64, f64)| (b.0 - a.0).hypot(b.1 - a.1);
    let total: f64 = pts.windows(2).map(|w| len(w[0], w[1])).sum();
    let mut left = total * share.clamp(0.0, 1.0);
    for w in pts.windows(2) {
        let l = len(w[0], w[1]);
        if left <= l && l > 0.0 {
            let k = left / l;
            return (
                w[0].0 + (w[1].0 - w[0].0) * k,
                w[0].1 + (w[1].1 - w[0].1) * k,
            );
        }
        left -= l;
    }
    pts.last().copied().unwrap_or((0.0, 0.0))
}

/// The points a request's dot travels through: the client, the kube-proxy of each node whose
/// rules it crossed, and the pod that served it (or the node where it stopped).
pub fn request_path(l: &Layout, w: &crate::sim::proxy::walk::Walk) -> Vec<Waypoint> {
    use crate::sim::proxy::walk::{Client, HopKind, Outcome};
    let mut pts: Vec<Waypoint> = Vec::new();
    let mut addrs = w.sent;
    match &w.client {
        Client::Pod { namespace, name } => {
            if let Some(p) = l.pod(&format!("{namespace}/{name}")) {
                pts.push(Waypoint::new(p.anchor(), addrs));
            }
        }
        Client::Node(n) => {
            if let Some(nb) = l.node(n) {
                pts.push(Waypoint::new((nb.rect.x + 40.0, nb.rect.y + 20.0), addrs));
            }
        }
        Client::Outside => {
            pts.push(Waypoint::new(l.outside.center(), addrs));
            // to a load-balancer IP: through the load balancer, which picked the entry node
            let dst = crate::sim::net::ip_to_string(w.sent.dst);
            if let Some((r, _)) = l.balancer.as_ref().filter(|(_, ips)| ips.contains(&dst)) {
                pts.push(Waypoint::new(r.center(), addrs));
            }
        }
    }
    for h in &w.hops {
        let Some(nb) = h.node.as_deref().and_then(|n| l.node(n)) else {
            continue;
        };
        let at = match h.kind {
            HopKind::Netfilter | HopKind::Cross => nb.proxy,
            // a port-forward's stream passes the node's own processes (API server, kubelet),
            // not its kube-proxy rules
            HopKind::Stream => (nb.rect.x + 40.0, nb.rect.y + 20.0),
            _ => continue,
        };
        addrs = h.after;
        match pts.last_mut() {
            // the packet leaves a node's rules as the last of them left it
            Some(last) if last.at == at => last.addrs = addrs,
            _ => pts.push(Waypoint::new(at, addrs)),
        }
    }
    if let Outcome::Served {
        pod: Some((ns, name)),
        ..
    } = &w.outcome
    {
        if let Some(p) = l.pod(&format!("{ns}/{name}")) {
            pts.push(Waypoint::new(p.anchor(), w.seen.unwrap_or(addrs)));
        }
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_box_keeps_its_height_until_the_drawing_outgrows_it_or_shrinks_below_half() {
        assert_eq!(view_box_height(600.0, None), 600.0);
        // a pod more, or one less: the box stays
        assert_eq!(view_box_height(648.0, Some(600.0)), 810.0);
        assert_eq!(view_box_height(700.0, Some(810.0)), 810.0);
        assert_eq!(view_box_height(406.0, Some(810.0)), 810.0);
        // half of it empty: it fits the drawing again
        assert_eq!(view_box_height(405.0, Some(810.0)), 405.0);
    }

    #[test]
    fn a_dot_moves_at_one_speed_along_its_legs() {
        let pts = [(0.0, 0.0), (30.0, 0.0), (30.0, 10.0)];
        assert_eq!(paced_point(&pts, 0.0), (0.0, 0.0));
        assert_eq!(paced_point(&pts, 0.5), (20.0, 0.0));
        assert_eq!(paced_point(&pts, 0.9), (30.0, 6.0));
        assert_eq!(paced_point(&pts, 1.5), (30.0, 10.0));
        // a leg of no length, and a path of one point
        assert_eq!(
            paced_point(&[(5.0, 5.0), (5.0, 5.0), (9.0, 5.0)], 0.5),
            (7.0, 5.0)
        );
        assert_eq!(paced_point(&[(1.0, 2.0)], 0.3), (1.0, 2.0));
        assert_eq!(paced_point(&[], 0.3), (0.0, 0.0));
    }

    fn pod(ns: &str, name: &str) -> PodView {
        PodView {
            namespace: ns.into(),
            name: name.into(),
            ip: String::new(),
            ready: true,
            status: "Running".into(),
            labels: String::new(),
        }
    }

    fn node(name: &str, pods: &[&str]) -> NodeView {
        NodeView {
            name: name.into(),
            ip: String::new(),
            pod_cidr: String::new(),
            pods: pods.iter().map(|p| pod("default", p)).collect(),
        }
    }

    #[test]
    fn a_new_pod_takes_a_free_slot_and_moves_nothing_else() {
        let mut s = Slots::default();
        s.update(&[node("n", &["b", "c"])]);
        assert_eq!(s.slot("n", "default/b"), Some(0));
        assert_eq!(s.slot("n", "default/c"), Some(1));
        // "a" sorts first but must not push b and c down
        s.update(&[node("n", &["a", "b", "c"])]);
        assert_eq!(s.slot("n", "default/a"), Some(2));
        assert_eq!(s.slot("n", "default/b"), Some(0));
        // b goes: its slot is free for the next pod, c stays
        s.update(&[node("n", &["a", "c", "d"])]);
        assert_eq!(s.slot("n", "default/c"), Some(1));
        assert_eq!(s.slot("n", "default/d"), Some(0));
    }

    #[test]
    fn services_link_to_the_pods_they_select() {
        let c = Cluster::new(1);
        let mut slots = Slots::default();
        let l = layout(&c, &mut slots);
        assert_eq!(l.nodes.len(), 3);
        let dns = l.service("kube-system/kube-dns").expect("kube-dns");
        assert_eq!(dns.cluster_ip, "10.96.0.10");
        assert!(dns.dns);
        assert_eq!(l.services.iter().filter(|s| s.dns).count(), 1);
        assert!(l.links.iter().any(|k| k.service == "kube-system/kube-dns"
            && k.pod.starts_with("kube-system/coredns-")
            && k.ready));
        assert_eq!(l.balancer, None);
    }

    #[test]
    fn a_request_by_name_goes_to_coredns_first() {
        use crate::sim::proxy::model::Proto;
        use crate::sim::proxy::walk::Client;
        let mut c = Cluster::new(1);
        c.advance(60_000);
        let l = layout(&c, &mut Slots::default());
        let client = l
            .pods
            .iter()
            .find(|p| p.key.starts_with("kube-system/kube-proxy-"))
            .expect("a pod");
        let (ns, name) = client.key.split_once('/').expect("key");
        let from = Client::Pod {
            namespace: ns.into(),
            name: name.into(),
        };
        let dns = c.walk_proto(&from, Proto::Udp, 0x0a60_000a, 53);
        let api = c.walk(&from, 0x0a60_0001, 443);
        let pts = trace_path(&l, Some(&dns), Some(&api));
        let coredns: Vec<(f64, f64)> = l
            .pods
            .iter()
            .filter(|p| p.key.starts_with("kube-system/coredns-"))
            .map(|p| p.anchor())
            .collect();
        let at = pts
            .iter()
            .position(|p| coredns.contains(&p.at))
            .expect("via CoreDNS");
        // the answer comes back to the client before the connection starts
        assert_eq!(pts[at + 1].at, client.anchor());
        assert_eq!(pts[0].at, client.anchor());
        // the query leaves for the kube-dns ClusterIP; the client node's rules send it on to
        // a CoreDNS pod (DNAT), and the connection then leaves for the kubernetes ClusterIP
        assert_eq!((pts[0].addrs.dst, pts[0].addrs.dport), (0x0a60_000a, 53));
        let coredns_ips: Vec<u32> = c
            .list(Kind::Pod, Some("kube-system"))
            .iter()
            .filter(|p| p.name().starts_with("coredns-"))
            .filter_map(|p| match p {
                Object::Pod(p) => p.status.as_ref()?.pod_ip.as_deref(),
                _ => None,
            })
            .filter_map(crate::sim::net::parse_ip)
            .collect();
        assert!(pts[1..at]
            .iter()
            .any(|w| coredns_ips.contains(&w.addrs.dst) && w.addrs.dport == 53));
        assert_eq!(
            (pts[at + 1].addrs.dst, pts[at + 1].addrs.dport),
            (0x0a60_0001, 443)
        );
    }

    #[test]
    fn a_load_balancer_appears_with_the_first_ingress_ip() {
        let mut c = Cluster::new(1);
        let svc = crate::sim::object::from_json(&serde_json::json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}
        }))
        .expect("service");
        c.create(Object::Service(svc)).expect("create");
        c.reconcile_now();
        // minikube: <pending>, and `minikube tunnel`'s ingress is the ClusterIP, routed
        let l = layout(&c, &mut Slots::default());
        assert_eq!(l.balancer, None);
        let web = l.service("default/web").expect("web");
        assert_eq!(web.external, "<pending>");
        c.start_tunnel();
        let l = layout(&c, &mut Slots::default());
        assert_eq!(l.balancer, None);
        assert_eq!(
            l.tunnel.as_deref(),
            Some("tunnel: 10.96.0.0/12 via 192.168.49.2")
        );
        c.stop_tunnel();
        // a cloud's load balancer
        let Some(Object::Service(mut s)) = c.get(Kind::Service, "default", "web").cloned() else {
            panic!("web")
        };
        s.status = Some(
            serde_json::from_value(serde_json::json!({
                "loadBalancer": {"ingress": [{"ip": "203.0.113.7"}]}
            }))
            .expect("status"),
        );
        c.update_status(Object::Service(s)).expect("status update");
        let l = layout(&c, &mut Slots::default());
        let (rect, ips) = l.balancer.expect("a load balancer");
        assert_eq!(ips, vec!["203.0.113.7".to_string()]);
        assert!(rect.y > l.outside.y + l.outside.h);
        assert!(l.height >= rect.y + rect.h);
    }
}
