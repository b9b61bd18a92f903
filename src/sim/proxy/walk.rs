//! A TCP connection's walk through the nodes' netfilter tables (spec §3.4–3.5, §4): the hook
//! chains of the node where the packet is, rule by rule, with the random choices from the
//! cluster's seeded generator and the `recent` lists as the kernel keeps them. The result is a
//! trace the lab can show and print.

use crate::sim::cluster::Cluster;
use crate::sim::kubelet::node_internal_ip;
use crate::sim::net::{ip_to_string, parse_ip, Cidr};
use crate::sim::object::{Kind, Object};
use crate::sim::programs::pod_listens_on;
use crate::sim::proxy::model::Proto;
use crate::sim::proxy::rules::{probability_threshold, Match, Rule, Table, Target};
use crate::sim::proxy::ruleset::{NodeRules, Origin};
use crate::sim::time::SimTime;
use rand::Rng;
use std::collections::BTreeMap;

/// The trainer's machine on the minikube network (the docker bridge's gateway).
pub const OUTSIDE_IP: u32 = 0xc0a8_3101; // 192.168.49.1

/// Where a connection starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Client {
    Pod {
        namespace: String,
        name: String,
    },
    Node(String),
    /// The trainer's own machine, outside the cluster.
    Outside,
}

/// Source and destination of a packet at one point of its walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Addrs {
    pub src: u32,
    pub dst: u32,
    pub dport: u16,
}

impl Addrs {
    pub fn show(&self) -> String {
        format!(
            "{} → {}:{}",
            ip_to_string(self.src),
            ip_to_string(self.dst),
            self.dport
        )
    }
}

/// A rule that matched: where it sits and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    pub table: Table,
    pub chain: String,
    /// 1-based, as `iptables -L --line-numbers` counts
    pub index: usize,
    pub rule: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopKind {
    /// the packet leaves the client
    Send,
    /// a netfilter hook on a node (nat PREROUTING/OUTPUT, filter, nat POSTROUTING)
    Netfilter,
    /// the packet crosses from one node to another
    Cross,
    /// the server receives it
    Arrive,
    /// the reply, un-NATed by conntrack
    Reply,
    /// carried inside a stream of another connection (kubectl port-forward through the API
    /// server and the kubelet), past every netfilter rule
    Stream,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub kind: HopKind,
    /// the node where it happens (`None` outside the cluster)
    pub node: Option<String>,
    /// e.g. "nat PREROUTING", "filter FORWARD"
    pub stage: String,
    pub rules: Vec<RuleHit>,
    pub before: Addrs,
    pub after: Addrs,
    pub note: String,
}

/// How the connection ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// accepted by a server: a pod (namespace, name) or a node's own process (node name)
    Served {
        pod: Option<(String, String)>,
        node: String,
    },
    /// refused: REJECT (ICMP port unreachable) or a RST from a host where nothing listens
    Refused { why: String },
    /// dropped: the SYN goes unanswered until the client gives up
    Dropped { why: String },
    /// no route to the host (ARP fails on the local network)
    NoRoute { why: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Walk {
    pub client: Client,
    pub entry_node: Option<String>,
    /// the packet as the client sent it
    pub sent: Addrs,
    /// the packet as the server saw it (when it arrived)
    pub seen: Option<Addrs>,
    /// a node MASQUERADEd the packet (its source may still look the same: a node's own
    /// address masqueraded to itself)
    pub masqueraded: bool,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    /// the local port of the `kubectl port-forward` that took the connection
    pub forwarded: Option<u16>,
}

/// The kernel's per-node `recent` lists: (node, list) → source address → last seen.
pub type RecentLists = BTreeMap<(String, String), BTreeMap<u32, SimTime>>;

struct Pkt {
    a: Addrs,
    proto: Proto,
    mark: u32,
    dnat: bool,
    new: bool,
}

enum Flow {
    Continue,
    Accept,
    Drop(String),
    Reject(String),
    Return,
}

struct Ctx<'a> {
    rules: &'a NodeRules,
    node: &'a str,
    local: &'a dyn Fn(u32) -> bool,
    now: SimTime,
}

impl Cluster {
    fn node_ip_of(&self, node: &str) -> Option<u32> {
        match self.get(Kind::Node, "", node) {
            Some(Object::Node(n)) => node_internal_ip(n).and_then(|s| parse_ip(&s)),
            _ => None,
        }
    }
    fn pod_cidr_of(&self, node: &str) -> Option<Cidr> {
        match self.get(Kind::Node, "", node) {
            Some(Object::Node(n)) => n
                .spec
                .as_ref()
                .and_then(|s| s.pod_cidr.as_deref())
                .and_then(Cidr::parse),
            _ => None,
        }
    }
    /// The node whose address `ip` is.
    fn node_with_ip(&self, ip: u32) -> Option<String> {
        self.list(Kind::Node, None)
            .into_iter()
            .map(|n| n.name().to_string())
            .find(|n| self.node_ip_of(n) == Some(ip))
    }
    /// The pod (namespace, name, node) whose IP `ip` is, ignoring finished pods.
    pub fn pod_with_ip(&self, ip: u32) -> Option<(String, String, String)> {
        self.index
            .pods_by_ip
            .get(&ip)?
            .iter()
            .find_map(|(ns, name)| match self.get(Kind::Pod, ns, name) {
                Some(Object::Pod(p)) => Some((
                    ns.clone(),
                    name.clone(),
                    p.spec.as_ref()?.node_name.clone()?,
                )),
                _ => None,
            })
    }
    /// The Service whose healthCheckNodePort is `port` (kube-proxy serves it on every node).
    pub fn health_check_service(&self, port: u16) -> Option<(String, String)> {
        self.list(Kind::Service, None)
            .into_iter()
            .find_map(|o| match o {
                Object::Service(s)
                    if port != 0
                        && s.spec.as_ref().and_then(|sp| sp.health_check_node_port)
                            == Some(port as i32) =>
                {
                    Some((o.namespace().to_string(), o.name().to_string()))
                }
                _ => None,
            })
    }

    /// Ready endpoints of a Service on `node`, as kube-proxy's health check counts them.
    pub fn local_ready_endpoints(&self, ns: &str, name: &str, node: &str) -> usize {
        let Some(Object::Service(svc)) = self.get(Kind::Service, ns, name) else {
            return 0;
        };
        let mut ips = std::collections::BTreeSet::new();
        for sp in crate::sim::proxy::model::service_ports(svc) {
            for e in crate::sim::proxy::model::endpoints_for(self, &sp) {
                if e.ready && e.node_name.as_deref() == Some(node) {
                    ips.insert(e.ip);
                }
            }
        }
        ips.len()
    }

    fn is_local_addr(&self, node: &str, ip: u32) -> bool {
        ip >> 24 == 127
            || self.node_ip_of(node) == Some(ip)
            || self.pod_cidr_of(node).is_some_and(|c| c.nth(1) == ip)
    }

    /// Opens a TCP connection from `client` to `dst:dport` and walks it through the nodes.
    pub fn walk(&mut self, client: &Client, dst: u32, dport: u16) -> Walk {
        self.walk_proto(client, Proto::Tcp, dst, dport)
    }

    /// The first packet of a flow (a TCP SYN or a UDP datagram) from `client` to `dst:dport`.
    pub fn walk_proto(&mut self, client: &Client, proto: Proto, dst: u32, dport: u16) -> Walk {
        let mut hops = Vec::new();
        // where the packet enters the netfilter hooks, and from which address
        let (entry, src, hook_out) = match client {
            Client::Pod { namespace, name } => {
                let pod = match self.get(Kind::Pod, namespace, name) {
                    Some(Object::Pod(p)) => p,
                    _ => return self.failed(client, dst, dport, "the client pod does not exist"),
                };
                let ip = pod
                    .status
                    .as_ref()
                    .and_then(|s| s.pod_ip.as_deref())
                    .and_then(parse_ip);
                let node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
                match (ip, node) {
                    // its own loopback (or its own address) never leaves the pod's network
                    // namespace: no node hook sees the packet
                    (Some(ip), Some(node)) if dst >> 24 == 127 || dst == ip => {
                        return self.walk_inside_pod(client, pod, &node, ip, dst, dport);
                    }
                    (Some(ip), Some(node)) => (node, ip, false),
                    _ => return self.failed(client, dst, dport, "the client pod has no IP yet"),
                }
            }
            Client::Node(n) => {
                let src = if dst >> 24 == 127 {
                    0x7f00_0001
                } else if self.pod_cidr_of(n).is_some_and(|c| c.contains(dst)) {
                    self.pod_cidr_of(n).map(|c| c.nth(1)).unwrap_or(0)
                } else {
                    self.node_ip_of(n).unwrap_or(0)
                };
                (n.clone(), src, true)
            }
            // the trainer's machine's own addresses: a port-forward's listeners, or nothing
            Client::Outside if dst >> 24 == 127 || dst == OUTSIDE_IP || dst == 0 => {
                return self.walk_to_host(dst, dport);
            }
            Client::Outside => match self.outside_entry(dst, dport) {
                Ok(node) => (node, OUTSIDE_IP, false),
                Err(outcome) => {
                    let a = Addrs {
                        src: OUTSIDE_IP,
                        dst,
                        dport,
                    };
                    hops.push(Hop {
                        kind: HopKind::Send,
                        node: None,
                        stage: "trainer's machine".into(),
                        rules: Vec::new(),
                        before: a,
                        after: a,
                        note: match &outcome {
                            Outcome::Dropped { why } | Outcome::NoRoute { why } => why.clone(),
                            _ => String::new(),
                        },
                    });
                    return Walk {
                        client: client.clone(),
                        entry_node: None,
                        sent: a,
                        seen: None,
                        masqueraded: false,
                        hops,
                        outcome,
                        forwarded: None,
                    };
                }
            },
        };
        let sent = Addrs { src, dst, dport };
        hops.push(Hop {
            kind: HopKind::Send,
            node: match client {
                Client::Outside => None,
                _ => Some(entry.clone()),
            },
            stage: match client {
                Client::Pod { name, .. } => format!("pod {name}"),
                Client::Node(n) => format!("node {n}"),
                Client::Outside => "trainer's machine".into(),
            },
            rules: Vec::new(),
            before: sent,
            after: sent,
            note: String::new(),
        });
        let mut pkt = Pkt {
            a: sent,
            proto,
            mark: 0,
            dnat: false,
            new: true,
        };
        let outcome = self.through_node(&entry, hook_out, &mut pkt, &mut hops, true);
        let outcome = match outcome {
            Err(o) => o,
            Ok(()) => self.deliver(&entry, &mut pkt, &mut hops),
        };
        let seen = matches!(outcome, Outcome::Served { .. }).then_some(pkt.a);
        if let Some(seen) = seen {
            hops.push(Hop {
                kind: HopKind::Reply,
                node: Some(entry.clone()),
                stage: "reply (conntrack)".into(),
                rules: Vec::new(),
                before: Addrs {
                    src: seen.dst,
                    dst: seen.src,
                    dport: 0,
                },
                after: Addrs {
                    src: sent.dst,
                    dst: sent.src,
                    dport: 0,
                },
                note: "conntrack reverses the NAT: the client sees the address it asked for".into(),
            });
        }
        let masqueraded = hops
            .iter()
            .any(|h| h.rules.iter().any(|r| r.rule.contains("-j MASQUERADE")));
        Walk {
            client: client.clone(),
            entry_node: Some(entry),
            sent,
            seen,
            masqueraded,
            hops,
            outcome,
            forwarded: None,
        }
    }

    /// A connection from a pod to its own loopback or address: the containers of a pod share
    /// one network namespace, so any of them listening on the port takes it; otherwise the
    /// pod's kernel answers with a RST.
    fn walk_inside_pod(
        &self,
        client: &Client,
        pod: &k8s_openapi::api::core::v1::Pod,
        node: &str,
        ip: u32,
        dst: u32,
        dport: u16,
    ) -> Walk {
        let src = if dst >> 24 == 127 { 0x7f00_0001 } else { ip };
        let a = Addrs { src, dst, dport };
        let name = pod.metadata.name.clone().unwrap_or_default();
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let listens = pod_listens_on(pod, i32::from(dport));
        let hop = |kind, stage: String, note: String| Hop {
            kind,
            node: Some(node.to_string()),
            stage,
            rules: Vec::new(),
            before: a,
            after: a,
            note,
        };
        let mut hops = vec![hop(
            HopKind::Send,
            format!("pod {name}"),
            format!(
                "{} stays inside the pod's network namespace: no node rule sees it",
                ip_to_string(dst)
            ),
        )];
        let outcome = if listens {
            hops.push(hop(HopKind::Arrive, format!("pod {name}"), String::new()));
            Outcome::Served {
                pod: Some((ns, name)),
                node: node.to_string(),
            }
        } else {
            Outcome::Refused {
                why: format!("nothing in pod {name} listens on port {dport}"),
            }
        };
        Walk {
            client: client.clone(),
            entry_node: Some(node.to_string()),
            sent: a,
            seen: listens.then_some(a),
            masqueraded: false,
            hops,
            outcome,
            forwarded: None,
        }
    }

    fn failed(&self, client: &Client, dst: u32, dport: u16, why: &str) -> Walk {
        let a = Addrs { src: 0, dst, dport };
        Walk {
            client: client.clone(),
            entry_node: None,
            sent: a,
            seen: None,
            masqueraded: false,
            hops: Vec::new(),
            outcome: Outcome::NoRoute { why: why.into() },
            forwarded: None,
        }
    }

    /// Which node a packet from the trainer's machine reaches first.
    fn outside_entry(&mut self, dst: u32, dport: u16) -> Result<String, Outcome> {
        if let Some(n) = self.node_with_ip(dst) {
            return Ok(n);
        }
        // `minikube tunnel`'s route: the service CIDR via the control-plane node's IP
        if let Some((cidr, _, gateway)) = self.tunnel_route() {
            if cidr.contains(dst) {
                return Ok(gateway);
            }
        }
        // a load balancer's address: the simulated load balancer sends each new connection
        // to a node that passes its health check
        let mut lb_nodes: Option<Vec<String>> = None;
        let nodes: Vec<String> = self
            .list(Kind::Node, None)
            .iter()
            .map(|n| n.name().to_string())
            .collect();
        let services: Vec<Object> = self
            .list(Kind::Service, None)
            .into_iter()
            .cloned()
            .collect();
        for s in &services {
            let Object::Service(svc) = s else { continue };
            for sp in crate::sim::proxy::model::service_ports(svc) {
                if sp.port != dport || !sp.lb_ips.contains(&dst) {
                    continue;
                }
                let eps = crate::sim::proxy::model::endpoints_for(self, &sp);
                let healthy: Vec<String> = if sp.external_local {
                    nodes
                        .iter()
                        .filter(|n| {
                            eps.iter()
                                .any(|e| e.ready && e.node_name.as_deref() == Some(n.as_str()))
                        })
                        .cloned()
                        .collect()
                } else {
                    nodes.clone()
                };
                lb_nodes = Some(healthy);
            }
            if lb_nodes.is_some() {
                break;
            }
            if let Object::Service(svc) = s {
                let ext = svc
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.external_ips.as_ref())
                    .is_some_and(|ips| ips.iter().any(|i| parse_ip(i) == Some(dst)));
                if ext {
                    // an external IP is routed to the cluster's first node
                    if let Some(first) = nodes.first() {
                        return Ok(first.clone());
                    }
                }
            }
        }
        if let Some(healthy) = lb_nodes {
            if healthy.is_empty() {
                return Err(Outcome::Dropped {
                    why: "the load balancer has no healthy node for this Service (externalTrafficPolicy Local and no ready endpoint on any node)".into(),
                });
            }
            let i = self.rng.random_range(0..healthy.len());
            return Ok(healthy[i].clone());
        }
        let on_minikube_net = Cidr {
            base: 0xc0a8_3100,
            prefix: 24,
        };
        if on_minikube_net.contains(dst) {
            Err(Outcome::NoRoute {
                why: format!(
                    "no host on the minikube network has {} (ARP gets no answer)",
                    ip_to_string(dst)
                ),
            })
        } else {
            Err(Outcome::Dropped {
                why: format!(
                    "{} is not reachable from outside the cluster: the trainer's machine sends it to its default gateway and nothing answers (ClusterIPs and pod IPs exist only inside the cluster)",
                    ip_to_string(dst)
                ),
            })
        }
    }

    /// The hooks on one node: nat PREROUTING (or OUTPUT), routing, filter, nat POSTROUTING.
    fn through_node(
        &mut self,
        node: &str,
        locally_generated: bool,
        pkt: &mut Pkt,
        hops: &mut Vec<Hop>,
        first: bool,
    ) -> Result<(), Outcome> {
        let now = self.now;
        let node_ip = self.node_ip_of(node);
        let pod_gw = self.pod_cidr_of(node).map(|c| c.nth(1));
        let local = move |ip: u32| ip >> 24 == 127 || Some(ip) == node_ip || Some(ip) == pod_gw;
        if !first {
            // The packet was routed here for one of this node's pods. Every rule a Service adds
            // matches a Service address (`-d`) or a local one (addrtype LOCAL), never a pod IP,
            // so kube-proxy's fixed rules alone decide here, without syncing this node's rules.
            let Some(params) = self.proxy_params(node) else {
                return Err(Outcome::NoRoute {
                    why: format!("node {node} does not exist"),
                });
            };
            let rules = NodeRules::new(params);
            let ctx = Ctx {
                rules: &rules,
                node,
                local: &local,
                now,
            };
            return self.hooks(&ctx, locally_generated, pkt, hops, first, node_ip, pod_gw);
        }
        let r = self.with_node_rules(node, |this, rules| {
            let ctx = Ctx {
                rules,
                node,
                local: &local,
                now,
            };
            this.hooks(&ctx, locally_generated, pkt, hops, first, node_ip, pod_gw)
        });
        r.unwrap_or_else(|| {
            Err(Outcome::NoRoute {
                why: format!("node {node} does not exist"),
            })
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn hooks(
        &mut self,
        ctx: &Ctx,
        locally_generated: bool,
        pkt: &mut Pkt,
        hops: &mut Vec<Hop>,
        first: bool,
        node_ip: Option<u32>,
        pod_gw: Option<u32>,
    ) -> Result<(), Outcome> {
        let node = ctx.node;
        let local = ctx.local;
        let stage = |this: &mut Cluster,
                     table: Table,
                     chain: &str,
                     pkt: &mut Pkt,
                     hops: &mut Vec<Hop>|
         -> Result<(), Outcome> {
            let before = pkt.a;
            let mut hits = Vec::new();
            let flow = this.run_chain(ctx, table, chain, pkt, &mut hits, 0, None);
            let note = match &flow {
                Flow::Drop(w) => w.clone(),
                Flow::Reject(w) => w.clone(),
                _ => String::new(),
            };
            hops.push(Hop {
                kind: HopKind::Netfilter,
                node: Some(node.to_string()),
                stage: format!("{} {chain}", table.name()),
                rules: hits,
                before,
                after: pkt.a,
                note,
            });
            match flow {
                Flow::Drop(why) => Err(Outcome::Dropped { why }),
                Flow::Reject(why) => Err(Outcome::Refused { why }),
                _ => Ok(()),
            }
        };
        let nat_hook = if locally_generated {
            "OUTPUT"
        } else {
            "PREROUTING"
        };
        if first || !locally_generated {
            stage(self, Table::Nat, nat_hook, pkt, hops)?;
        }
        let to_local = local(pkt.a.dst);
        let filter_hook = if locally_generated {
            "OUTPUT"
        } else if to_local {
            "INPUT"
        } else {
            "FORWARD"
        };
        stage(self, Table::Filter, filter_hook, pkt, hops)?;
        if !to_local || locally_generated {
            let before = pkt.a;
            let mut hits = Vec::new();
            // nat POSTROUTING only RETURNs or MASQUERADEs: its verdict never stops the packet
            self.run_chain(ctx, Table::Nat, "POSTROUTING", pkt, &mut hits, 0, None);
            let mut note = String::new();
            if pkt.mark & ctx.rules.params.mark != 0
                || hits.iter().any(|h| h.rule.contains("MASQUERADE"))
            {
                // MASQUERADE: the address of the interface the packet leaves by
                let via_bridge = self
                    .pod_with_ip(pkt.a.dst)
                    .is_some_and(|(_, _, n)| n == node);
                let new_src = if via_bridge {
                    pod_gw.unwrap_or(pkt.a.src)
                } else {
                    node_ip.unwrap_or(pkt.a.src)
                };
                if hits.iter().any(|h| h.rule.contains("MASQUERADE")) {
                    note = format!(
                        "MASQUERADE: the source becomes {} ({})",
                        ip_to_string(new_src),
                        if via_bridge {
                            "the node's pod-bridge gateway"
                        } else {
                            "the node's own address"
                        }
                    );
                    pkt.a.src = new_src;
                }
            }
            hops.push(Hop {
                kind: HopKind::Netfilter,
                node: Some(node.to_string()),
                stage: "nat POSTROUTING".into(),
                rules: hits,
                before,
                after: pkt.a,
                note,
            });
        }
        Ok(())
    }

    /// Evaluates one chain; jumps recurse, RETURN and the end of a user chain go back.
    #[allow(clippy::too_many_arguments)]
    fn run_chain(
        &mut self,
        ctx: &Ctx,
        table: Table,
        chain: &str,
        pkt: &mut Pkt,
        hits: &mut Vec<RuleHit>,
        depth: usize,
        from: Origin,
    ) -> Flow {
        if depth > 32 {
            return Flow::Accept;
        }
        let Some(rules) = ctx.rules.candidates(table, chain, pkt.a.dst, from) else {
            return Flow::Continue;
        };
        for (i, r, origin) in &rules {
            let r: &Rule = r;
            if !self.matches(ctx, r, pkt) {
                continue;
            }
            hits.push(RuleHit {
                table,
                chain: chain.to_string(),
                index: *i,
                rule: format!("-A {chain}{}", r.canonical()),
            });
            for m in &r.matches {
                if let Match::RecentSet { name } = m {
                    self.recent
                        .entry((ctx.node.to_string(), name.to_string()))
                        .or_default()
                        .insert(pkt.a.src, ctx.now);
                }
            }
            match &r.target {
                Target::Jump(c) => {
                    match self.run_chain(ctx, table, c, pkt, hits, depth + 1, *origin) {
                        Flow::Continue | Flow::Return => {}
                        other => return other,
                    }
                }
                Target::Accept => return Flow::Accept,
                Target::Drop => return Flow::Drop(comment_of(r)),
                Target::Reject => return Flow::Reject(comment_of(r)),
                Target::Return => return Flow::Return,
                Target::Dnat { ip, port } => {
                    pkt.a.dst = *ip;
                    pkt.a.dport = *port;
                    pkt.dnat = true;
                    return Flow::Accept;
                }
                Target::OrMark(v) => pkt.mark |= v,
                Target::XorMark(v) => pkt.mark ^= v,
                Target::Masquerade => return Flow::Accept,
                Target::None => {}
            }
        }
        if crate::sim::proxy::ruleset::NodeRules::is_builtin(table, chain) {
            Flow::Accept
        } else {
            Flow::Continue
        }
    }

    fn matches(&mut self, ctx: &Ctx, r: &Rule, pkt: &Pkt) -> bool {
        if let Some((neg, c)) = r.src {
            if c.contains(pkt.a.src) == neg {
                return false;
            }
        }
        if let Some((neg, c)) = r.dst {
            if c.contains(pkt.a.dst) == neg {
                return false;
            }
        }
        if r.proto.is_some_and(|p| p != pkt.proto) {
            return false;
        }
        for m in &r.matches {
            let ok = match m {
                Match::Comment(_) | Match::Nfacct(_) | Match::RecentSet { .. } => true,
                Match::Port(p, dport) => *p == pkt.proto && dport.is_none_or(|d| d == pkt.a.dport),
                Match::Random { n, i } => {
                    let draw = self.rng.random::<u32>() & 0x7fff_ffff;
                    draw < probability_threshold(n - i)
                }
                Match::RecentCheck { name, seconds } => {
                    let key = (ctx.node.to_string(), name.to_string());
                    let fresh =
                        |t: &SimTime| ctx.now.0.saturating_sub(t.0) <= *seconds as u64 * 1000;
                    let list = self.recent.entry(key).or_default();
                    // --reap: entries older than --seconds go
                    list.retain(|_, t| fresh(t));
                    list.contains_key(&pkt.a.src)
                }
                Match::AddrTypeLocal { src } => {
                    (ctx.local)(if *src { pkt.a.src } else { pkt.a.dst })
                }
                Match::Mark { neg, bits } => (pkt.mark & bits == *bits) != *neg,
                Match::Conntrack { neg, states } => {
                    let has = states.split(',').any(|s| match s {
                        "NEW" => pkt.new,
                        "DNAT" => pkt.dnat,
                        _ => false,
                    });
                    has != *neg
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }

    /// After the entry node: cross to the node that owns the destination, and arrive.
    fn deliver(&mut self, entry: &str, pkt: &mut Pkt, hops: &mut Vec<Hop>) -> Outcome {
        let dst = pkt.a.dst;
        if let Some((ns, name, node)) = self.pod_with_ip(dst) {
            if node != entry {
                hops.push(Hop {
                    kind: HopKind::Cross,
                    node: Some(node.clone()),
                    stage: format!("{entry} → {node}"),
                    rules: Vec::new(),
                    before: pkt.a,
                    after: pkt.a,
                    note: format!(
                        "routed to {node}, which owns the pod network {}",
                        self.pod_cidr_of(&node)
                            .map(|c| c.to_string())
                            .unwrap_or_default()
                    ),
                });
                // the packet is new to that node's conntrack: its hooks see it too
                pkt.mark = 0;
                if let Err(o) = self.through_node(&node, false, pkt, hops, false) {
                    return o;
                }
            }
            let listening = match self.get(Kind::Pod, &ns, &name) {
                Some(Object::Pod(p)) => pod_listens_on(p, i32::from(pkt.a.dport)),
                _ => false,
            };
            hops.push(Hop {
                kind: HopKind::Arrive,
                node: Some(node.clone()),
                stage: format!("pod {name}"),
                rules: Vec::new(),
                before: pkt.a,
                after: pkt.a,
                note: if listening {
                    format!("accepted on port {}", pkt.a.dport)
                } else {
                    format!(
                        "nothing listens on port {}: the pod answers with a reset",
                        pkt.a.dport
                    )
                },
            });
            return if listening {
                Outcome::Served {
                    pod: Some((ns, name)),
                    node,
                }
            } else {
                Outcome::Refused {
                    why: format!("nothing in pod {name} listens on port {}", pkt.a.dport),
                }
            };
        }
        let owner = if self.is_local_addr(entry, dst) {
            Some(entry.to_string())
        } else {
            self.node_with_ip(dst)
        };
        if let Some(node) = owner {
            // a node's own process: the API server listens on 8443 of the control plane
            let control_plane = self
                .list(Kind::Node, None)
                .first()
                .map(|n| n.name().to_string());
            let apiserver = pkt.a.dport == 8443 && control_plane.as_deref() == Some(node.as_str());
            let health = self.health_check_service(pkt.a.dport);
            let listening = apiserver || health.is_some();
            hops.push(Hop {
                kind: HopKind::Arrive,
                node: Some(node.clone()),
                stage: format!("node {node}"),
                rules: Vec::new(),
                before: pkt.a,
                after: pkt.a,
                note: if apiserver {
                    "kube-apiserver accepts".into()
                } else if let Some((ns, name)) = &health {
                    format!("kube-proxy's health check server for {ns}/{name} accepts")
                } else {
                    format!(
                        "nothing on node {node} listens on port {}: reset",
                        pkt.a.dport
                    )
                },
            });
            return if listening {
                Outcome::Served { pod: None, node }
            } else {
                Outcome::Refused {
                    why: format!("nothing on node {node} listens on port {}", pkt.a.dport),
                }
            };
        }
        Outcome::Dropped {
            why: format!(
                "no pod or node has the address {}: the packet leaves by the default route and nothing answers",
                ip_to_string(dst)
            ),
        }
    }
}

fn comment_of(r: &Rule) -> String {
    r.matches
        .iter()
        .find_map(|m| match m {
            Match::Comment(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_default()
}
