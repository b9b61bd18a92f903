//! A node's whole rule set: kube-proxy's fixed chains plus every Service port's rules, kept per
//! Service so that a change rewrites only the changed Services' rules (spec §4.6).

use crate::sim::cluster::Cluster;
use crate::sim::net::parse_ip;
use crate::sim::object::{Kind, Object};
use crate::sim::proxy::model::{endpoints_for, service_ports, Ep, SvcPort};
use crate::sim::proxy::rules::{
    loopback, port_rules, Chain, Match, PortRules, ProxyParams, Rule, Table, Target,
};
use std::collections::BTreeMap;

/// kube-proxy's `largeClusterEndpointsThreshold`.
const LARGE_CLUSTER_ENDPOINTS: usize = 1000;

/// A Service's ports as kube-proxy programs them, each with its endpoints.
type ServiceModel = Vec<(SvcPort, Vec<Ep>)>;

/// A Service key: (namespace, name).
pub type SvcKey = (String, String);

/// kube-proxy's view on one node.
#[derive(Debug, Clone)]
pub struct NodeRules {
    pub params: ProxyParams,
    /// per Service, sorted by (namespace, name): its ports' rules in spec order
    services: Vec<(SvcKey, Vec<PortRules>)>,
    /// endpoints of all Services (for the large-cluster threshold)
    endpoints: usize,
    /// where each shared chain's rules are, built when first needed after a change
    index: std::cell::OnceCell<BTreeMap<(Table, &'static str), Flat>>,
}

/// A shared chain (KUBE-SERVICES, KUBE-NODEPORTS, …) laid out in order, with its rules found
/// by destination: the kernel scans the chain linearly, and a rule with `-d X/32` can only
/// match a packet to X, so the walk looks at those and at the rules without a host `-d`.
#[derive(Debug, Clone, Default)]
struct Flat {
    /// (service position, port, rule) for each rule of the chain, in order
    refs: Vec<(u32, u16, u32)>,
    by_dst: rustc_hash::FxHashMap<u32, Vec<u32>>,
    wild: Vec<u32>,
}

/// Where a rule came from: a Service's port (for finding the chains it jumps to), or the fixed
/// rules.
pub type Origin = Option<(u32, u16)>;

pub const BUILTIN_FILTER: &[&str] = &["INPUT", "FORWARD", "OUTPUT"];
pub const BUILTIN_NAT: &[&str] = &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"];
pub const BUILTIN_MANGLE: &[&str] = &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];
const FIXED_MANGLE: &[&str] = &["KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"];
const FIXED_FILTER: &[&str] = &[
    "KUBE-EXTERNAL-SERVICES",
    "KUBE-FIREWALL",
    "KUBE-FORWARD",
    "KUBE-KUBELET-CANARY",
    "KUBE-NODEPORTS",
    "KUBE-PROXY-CANARY",
    "KUBE-PROXY-FIREWALL",
    "KUBE-SERVICES",
];
const FIXED_NAT: &[&str] = &[
    "KUBE-KUBELET-CANARY",
    "KUBE-MARK-MASQ",
    "KUBE-NODEPORTS",
    "KUBE-POSTROUTING",
    "KUBE-PROXY-CANARY",
    "KUBE-SERVICES",
];

/// The chains every Service port appends rules to (the rest are fixed or a Service's own).
fn is_shared(table: Table, chain: &str) -> bool {
    matches!(
        (table, chain),
        (_, "KUBE-SERVICES")
            | (_, "KUBE-NODEPORTS")
            | (Table::Filter, "KUBE-EXTERNAL-SERVICES")
            | (Table::Filter, "KUBE-PROXY-FIREWALL")
    )
}

fn jump(chain: &'static str) -> Rule {
    Rule {
        src: None,
        dst: None,
        proto: None,
        matches: Vec::new(),
        target: Target::Jump(Chain::Fixed(chain)),
    }
}

fn with(mut r: Rule, m: Match) -> Rule {
    r.matches.push(m);
    r
}

fn comment(c: &str) -> Match {
    Match::Comment(c.into())
}

const NEW: Match = Match::Conntrack {
    neg: false,
    states: "NEW",
};

impl NodeRules {
    pub fn new(params: ProxyParams) -> NodeRules {
        NodeRules {
            params,
            services: Vec::new(),
            endpoints: 0,
            index: Default::default(),
        }
    }

    /// Replaces (or with `None` removes) one Service's rules.
    pub fn set_service(&mut self, key: SvcKey, rules: Option<Vec<PortRules>>) {
        self.index = Default::default();
        let count = |r: &[PortRules]| r.iter().map(|p| p.endpoints).sum::<usize>();
        self.endpoints += rules.as_deref().map_or(0, count);
        match (self.services.binary_search_by(|(k, _)| k.cmp(&key)), rules) {
            (Ok(i), Some(r)) => {
                let old = std::mem::replace(&mut self.services[i].1, r);
                self.endpoints -= count(&old);
            }
            (Ok(i), None) => {
                let (_, old) = self.services.remove(i);
                self.endpoints -= count(&old);
            }
            (Err(i), Some(r)) => self.services.insert(i, (key, r)),
            (Err(_), None) => {}
        }
    }

    pub fn service(&self, ns: &str, name: &str) -> Option<&[PortRules]> {
        self.services
            .binary_search_by(|((a, b), _)| (a.as_str(), b.as_str()).cmp(&(ns, name)))
            .ok()
            .map(|i| self.services[i].1.as_slice())
    }

    fn total_endpoints(&self) -> usize {
        self.endpoints
    }

    fn flat(&self) -> &BTreeMap<(Table, &'static str), Flat> {
        self.index.get_or_init(|| {
            let mut m: BTreeMap<(Table, &'static str), Flat> = BTreeMap::new();
            for (si, (_, ports)) in self.services.iter().enumerate() {
                for (pi, p) in ports.iter().enumerate() {
                    for (ri, (t, c, r)) in p.shared.iter().enumerate() {
                        let f = m.entry((*t, *c)).or_default();
                        let pos = f.refs.len() as u32;
                        f.refs.push((si as u32, pi as u16, ri as u32));
                        match r.dst {
                            Some((false, d)) if d.prefix == 32 => {
                                f.by_dst.entry(d.base).or_default().push(pos)
                            }
                            _ => f.wild.push(pos),
                        }
                    }
                }
            }
            m
        })
    }

    fn shared_rule(&self, r: (u32, u16, u32)) -> Option<&Rule> {
        self.services
            .get(r.0 as usize)?
            .1
            .get(r.1 as usize)?
            .shared
            .get(r.2 as usize)
            .map(|(_, _, rule)| rule)
    }

    /// The rules of `chain` that a packet to `dst` could match, with their 1-based positions
    /// and origins, in chain order. `from` is where the jump into the chain came from (a
    /// Service's own chains are looked up there first).
    pub fn candidates(
        &self,
        table: Table,
        chain: &str,
        dst: u32,
        from: Origin,
    ) -> Option<Vec<(usize, std::borrow::Cow<'_, Rule>, Origin)>> {
        use std::borrow::Cow;
        if is_shared(table, chain) {
            let flat = self.flat();
            let key = flat
                .keys()
                .find(|(t, c)| *t == table && *c == chain)
                .copied();
            let mut out: Vec<(usize, Cow<Rule>, Origin)> = Vec::new();
            let mut len = 0;
            if let Some(f) = key.and_then(|k| flat.get(&k)) {
                len = f.refs.len();
                let mut pos: Vec<u32> = f.by_dst.get(&dst).cloned().unwrap_or_default();
                pos.extend(f.wild.iter().copied());
                pos.sort_unstable();
                for p in pos {
                    let r = f.refs[p as usize];
                    if let Some(rule) = self.shared_rule(r) {
                        out.push((p as usize + 1, Cow::Borrowed(rule), Some((r.0, r.1))));
                    }
                }
            }
            // the fixed rules that close the chain (KUBE-SERVICES' jump to KUBE-NODEPORTS)
            if let Some(tail) = self.fixed_chain(table, chain) {
                for (k, r) in tail.into_iter().enumerate() {
                    out.push((len + k + 1, Cow::Owned(r), None));
                }
            }
            return Some(out);
        }
        if let Some(rules) = self.fixed_chain(table, chain) {
            return Some(
                rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| (i + 1, Cow::Owned(r), None))
                    .collect(),
            );
        }
        if table != Table::Nat {
            return None;
        }
        // a Service's own chain: first where the jump came from, else anywhere
        let own = |si: u32, pi: u16| -> Option<Cow<'_, [Rule]>> {
            self.services
                .get(si as usize)?
                .1
                .get(pi as usize)?
                .own_chain(chain)
        };
        let (rules, origin) = from
            .and_then(|(si, pi)| own(si, pi).map(|r| (r, (si, pi))))
            .or_else(|| {
                self.services
                    .iter()
                    .enumerate()
                    .find_map(|(si, (_, ports))| {
                        ports.iter().enumerate().find_map(|(pi, _)| {
                            own(si as u32, pi as u16).map(|r| (r, (si as u32, pi as u16)))
                        })
                    })
            })?;
        Some(match rules {
            Cow::Borrowed(rules) => rules
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 1, Cow::Borrowed(r), Some(origin)))
                .collect(),
            Cow::Owned(rules) => rules
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i + 1, Cow::Owned(r), Some(origin)))
                .collect(),
        })
    }

    /// Built-in chains first, then the user chains sorted by name (as libiptc keeps them).
    pub fn chain_names(&self, table: Table) -> Vec<String> {
        let (builtin, fixed) = match table {
            Table::Filter => (BUILTIN_FILTER, FIXED_FILTER),
            Table::Nat => (BUILTIN_NAT, FIXED_NAT),
            Table::Mangle => (BUILTIN_MANGLE, FIXED_MANGLE),
        };
        let mut user: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        if table == Table::Nat {
            for (_, ports) in &self.services {
                for p in ports {
                    user.extend(p.own_chain_names().map(|n| n.to_string()));
                }
            }
        }
        crate::sim::order::sort(&mut user);
        user.dedup();
        builtin.iter().map(|s| s.to_string()).chain(user).collect()
    }

    pub fn is_builtin(table: Table, chain: &str) -> bool {
        match table {
            Table::Filter => BUILTIN_FILTER.contains(&chain),
            Table::Nat => BUILTIN_NAT.contains(&chain),
            Table::Mangle => BUILTIN_MANGLE.contains(&chain),
        }
    }

    /// The rules of one chain, in order; `None` when the chain does not exist.
    pub fn chain(&self, table: Table, name: &str) -> Option<Vec<Rule>> {
        if is_shared(table, name) {
            let mut v: Vec<Rule> = self
                .services
                .iter()
                .flat_map(|(_, p)| p.iter())
                .flat_map(|pr| pr.shared.iter())
                .filter(|(t, c, _)| *t == table && *c == name)
                .map(|(_, _, r)| r.clone())
                .collect();
            v.extend(self.fixed_chain(table, name).unwrap_or_default());
            return Some(v);
        }
        if let Some(f) = self.fixed_chain(table, name) {
            return Some(f);
        }
        if table != Table::Nat {
            return None;
        }
        self.services
            .iter()
            .flat_map(|(_, p)| p.iter())
            .find_map(|pr| pr.own_chain(name))
            .map(|r| r.into_owned())
    }

    /// kube-proxy's fixed rules of a chain (for the shared chains: the rules after the
    /// Services' own); `None` for a chain that is not one of kube-proxy's fixed chains.
    fn fixed_chain(&self, table: Table, name: &str) -> Option<Vec<Rule>> {
        let p = &self.params;
        let mark = p.mark;
        let fw = || {
            with(
                with(jump("KUBE-PROXY-FIREWALL"), NEW),
                comment("kubernetes load balancer firewall"),
            )
        };
        let rules = match (table, name) {
            (Table::Filter, "INPUT") => vec![
                fw(),
                with(
                    jump("KUBE-NODEPORTS"),
                    comment("kubernetes health check service ports"),
                ),
                with(
                    with(jump("KUBE-EXTERNAL-SERVICES"), NEW),
                    comment("kubernetes externally-visible service portals"),
                ),
                jump("KUBE-FIREWALL"),
            ],
            (Table::Filter, "FORWARD") => vec![
                fw(),
                with(jump("KUBE-FORWARD"), comment("kubernetes forwarding rules")),
                with(
                    with(jump("KUBE-SERVICES"), NEW),
                    comment("kubernetes service portals"),
                ),
                with(
                    with(jump("KUBE-EXTERNAL-SERVICES"), NEW),
                    comment("kubernetes externally-visible service portals"),
                ),
            ],
            (Table::Filter, "OUTPUT") => vec![
                fw(),
                with(
                    with(jump("KUBE-SERVICES"), NEW),
                    comment("kubernetes service portals"),
                ),
                jump("KUBE-FIREWALL"),
            ],
            (Table::Filter, "KUBE-FIREWALL") => {
                if p.localhost_node_ports {
                    let mut r = with(
                        Rule {
                            target: Target::Drop,
                            ..jump("")
                        },
                        comment("block incoming localnet connections"),
                    );
                    r.src = Some((true, loopback()));
                    r.dst = Some((false, loopback()));
                    vec![with(
                        r,
                        Match::Conntrack {
                            neg: true,
                            states: "RELATED,ESTABLISHED,DNAT",
                        },
                    )]
                } else {
                    Vec::new()
                }
            }
            (Table::Filter, "KUBE-FORWARD") => vec![
                with(
                    with(
                        Rule {
                            target: Target::Drop,
                            ..jump("")
                        },
                        Match::Conntrack {
                            neg: false,
                            states: "INVALID",
                        },
                    ),
                    Match::Nfacct("ct_state_invalid_dropped_pkts"),
                ),
                with(
                    with(
                        Rule {
                            target: Target::Accept,
                            ..jump("")
                        },
                        comment("kubernetes forwarding rules"),
                    ),
                    Match::Mark {
                        neg: false,
                        bits: mark,
                    },
                ),
                with(
                    with(
                        Rule {
                            target: Target::Accept,
                            ..jump("")
                        },
                        comment("kubernetes forwarding conntrack rule"),
                    ),
                    Match::Conntrack {
                        neg: false,
                        states: "RELATED,ESTABLISHED",
                    },
                ),
            ],
            (Table::Nat, "PREROUTING") | (Table::Nat, "OUTPUT") => {
                vec![with(
                    jump("KUBE-SERVICES"),
                    comment("kubernetes service portals"),
                )]
            }
            (Table::Nat, "POSTROUTING") => vec![with(
                jump("KUBE-POSTROUTING"),
                comment("kubernetes postrouting rules"),
            )],
            (Table::Nat, "INPUT") => Vec::new(),
            (Table::Nat, "KUBE-MARK-MASQ") => vec![Rule {
                target: Target::OrMark(mark),
                ..jump("")
            }],
            (Table::Nat, "KUBE-POSTROUTING") => vec![
                with(
                    Rule {
                        target: Target::Return,
                        ..jump("")
                    },
                    Match::Mark {
                        neg: true,
                        bits: mark,
                    },
                ),
                Rule {
                    target: Target::XorMark(mark),
                    ..jump("")
                },
                with(
                    Rule {
                        target: Target::Masquerade,
                        ..jump("")
                    },
                    comment("kubernetes service traffic requiring SNAT"),
                ),
            ],
            (Table::Nat, "KUBE-SERVICES") => {
                let mut v = Vec::new();
                let mut last = with(
                    jump("KUBE-NODEPORTS"),
                    comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain"),
                );
                if !p.localhost_node_ports {
                    last.dst = Some((true, loopback()));
                }
                v.push(with(last, Match::AddrTypeLocal { src: false }));
                v
            }
            (t, c) if is_shared(t, c) => Vec::new(),
            (_, "KUBE-KUBELET-CANARY") | (_, "KUBE-PROXY-CANARY") => Vec::new(),
            (Table::Mangle, c) if BUILTIN_MANGLE.contains(&c) => Vec::new(),
            _ => return None,
        };
        Some(rules)
    }
}

/// The per-node rule sets, rewritten lazily: a node's rules are brought up to date when someone
/// looks at them, for the Services that changed since that node last looked.
#[derive(Debug, Clone, Default)]
pub struct ProxyState {
    seq: u64,
    /// every change to everything (nodes, kube-proxy's settings) bumps the epoch
    epoch: u64,
    /// namespace → Service → its latest change (never iterated: `by_seq` holds the order;
    /// nested, so that a Service changed again is found without copying its names)
    changed: rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, u64>>,
    by_seq: BTreeMap<u64, (String, String)>,
    nodes: BTreeMap<String, NodeState>,
    /// how many Services' rules were written, on all nodes (tests check that a sync rewrites
    /// only what changed)
    pub rewritten: u64,
}

#[derive(Debug, Clone)]
struct NodeState {
    epoch: u64,
    synced: u64,
    rules: NodeRules,
}

impl ProxyState {
    /// A Service's rules must be rewritten (its spec, status or slices changed).
    pub fn service_changed(&mut self, ns: &str, name: &str) {
        self.seq += 1;
        let seq = self.seq;
        // a Service changed before moves its names from its old place in the order
        let by_seq = &mut self.by_seq;
        let key = crate::sim::index::with_slot(&mut self.changed, ns, |by_name| {
            match by_name.get_mut(name) {
                Some(at) => by_seq.remove(&std::mem::replace(at, seq)),
                None => {
                    by_name.insert(name.to_string(), seq);
                    None
                }
            }
        });
        let key = key.unwrap_or_else(|| (ns.to_string(), name.to_string()));
        self.by_seq.insert(seq, key);
    }
    /// Everything must be rewritten (a node or kube-proxy's settings changed).
    pub fn all_changed(&mut self) {
        self.epoch += 1;
    }
}

impl Cluster {
    pub(crate) fn proxy_params(&self, node: &str) -> Option<ProxyParams> {
        let Some(Object::Node(n)) = self.get(Kind::Node, "", node) else {
            return None;
        };
        let cfg = self.proxy_config();
        let node_ip = n
            .status
            .as_ref()
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .and_then(|a| parse_ip(&a.address))
            .unwrap_or(0);
        Some(ProxyParams {
            node: node.to_string(),
            zone: n
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(crate::sim::index::ZONE_LABEL))
                .cloned()
                .unwrap_or_default(),
            node_ip,
            cluster_cidr: cfg.cluster_cidr,
            masquerade_all: cfg.masquerade_all,
            mark: 1u32 << cfg.masquerade_bit.min(31),
            localhost_node_ports: cfg.localhost_node_ports,
            large_cluster: false,
        })
    }

    /// A Service's ports as kube-proxy programs them, each with its endpoints (`None` when the
    /// Service gets no rules).
    fn service_model(&self, ns: &str, name: &str) -> Option<ServiceModel> {
        let Some(Object::Service(svc)) = self.get(Kind::Service, ns, name) else {
            return None;
        };
        let ports = service_ports(svc);
        if ports.is_empty() {
            return None;
        }
        Some(
            ports
                .into_iter()
                .map(|sp| {
                    let eps = endpoints_for(self, &sp);
                    (sp, eps)
                })
                .collect(),
        )
    }

    fn service_rules(&self, ns: &str, name: &str, p: &ProxyParams) -> Option<Vec<PortRules>> {
        let model = self.service_model(ns, name)?;
        Some(
            model
                .iter()
                .map(|(sp, eps)| port_rules(sp, eps, p))
                .collect(),
        )
    }

    /// kube-proxy's rules on `node`, brought up to date. `None` for an unknown node.
    pub fn node_rules(&mut self, node: &str) -> Option<&NodeRules> {
        let mut params = self.proxy_params(node)?;
        let mut state = self.proxy.nodes.remove(node);
        let full = match &state {
            Some(s) => {
                s.epoch != self.proxy.epoch || {
                    let mut old = s.rules.params.clone();
                    old.large_cluster = false;
                    old != params
                }
            }
            None => true,
        };
        if let Some(s) = state.as_ref() {
            params.large_cluster = s.rules.params.large_cluster;
        }
        let mut rules = match state.take() {
            Some(s) if !full => {
                let mut rules = s.rules;
                let todo: Vec<(String, String)> = self
                    .proxy
                    .by_seq
                    .range(s.synced + 1..)
                    .map(|(_, k)| k.clone())
                    .collect();
                self.proxy.rewritten += todo.len() as u64;
                for (ns, name) in todo {
                    let r = self.service_rules(&ns, &name, &rules.params);
                    rules.set_service((ns, name), r);
                }
                rules
            }
            _ => {
                self.proxy.rewritten += self.list(Kind::Service, None).len() as u64;
                self.all_service_rules(params)
            }
        };
        // more than 1000 endpoints in all switches the comments off everywhere
        let total = rules.total_endpoints();
        if (total > LARGE_CLUSTER_ENDPOINTS) != rules.params.large_cluster {
            rules = self.all_service_rules(rules.params.clone());
        }
        self.proxy.nodes.insert(
            node.to_string(),
            NodeState {
                epoch: self.proxy.epoch,
                synced: self.proxy.seq,
                rules,
            },
        );
        self.proxy.nodes.get(node).map(|s| &s.rules)
    }

    /// Every Service's rules. As `syncProxyRules` does, the endpoints of all Services are
    /// counted first: more than 1000 in all drops the SVC→SEP and SEP rules' comments.
    fn all_service_rules(&self, mut params: ProxyParams) -> NodeRules {
        // the store lists Services in (namespace, name) order
        let models: Vec<(SvcKey, ServiceModel)> = self
            .list(Kind::Service, None)
            .into_iter()
            .filter_map(|o| {
                let (ns, name) = (o.namespace(), o.name());
                let m = self.service_model(ns, name)?;
                Some(((ns.to_string(), name.to_string()), m))
            })
            .collect();
        let total: usize = models
            .iter()
            .flat_map(|(_, m)| m.iter().map(|(_, eps)| eps.len()))
            .sum();
        params.large_cluster = total > LARGE_CLUSTER_ENDPOINTS;
        let mut rules = NodeRules::new(params);
        rules.endpoints = total;
        rules.services = models
            .into_iter()
            .map(|(key, m)| {
                let r = m
                    .iter()
                    .map(|(sp, eps)| port_rules(sp, eps, &rules.params))
                    .collect();
                (key, r)
            })
            .collect();
        rules
    }

    /// Runs `f` with this cluster and kube-proxy's up-to-date rules on `node`, without copying
    /// them (the walk needs both the rules and the cluster's generator and `recent` lists).
    pub fn with_node_rules<R>(
        &mut self,
        node: &str,
        f: impl FnOnce(&mut Cluster, &NodeRules) -> R,
    ) -> Option<R> {
        self.node_rules(node)?;
        let state = self.proxy.nodes.remove(node)?;
        let r = f(self, &state.rules);
        self.proxy.nodes.insert(node.to_string(), state);
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::Cluster;

    fn create(c: &mut Cluster, json: serde_json::Value) {
        let obj = crate::sim::object::decode(&json).expect("decode");
        c.create(obj).expect("create");
    }

    #[test]
    fn a_sync_rewrites_only_the_services_that_changed() {
        let mut c = Cluster::new(3);
        for i in 0..5 {
            create(
                &mut c,
                serde_json::json!({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": format!("s{i}")},
                    "spec": {"selector": {"app": format!("a{i}")}, "ports": [{"port": 80}]}}),
            );
        }
        c.node_rules("minikube").expect("node");
        let before = c.proxy.rewritten;
        // nothing changed: nothing is rewritten
        c.node_rules("minikube").expect("node");
        assert_eq!(c.proxy.rewritten, before);
        // a pod of s2 becomes an endpoint: s2's slice changes, only s2 is rewritten
        create(
            &mut c,
            serde_json::json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "labels": {"app": "a2"}},
                "spec": {"containers": [{"name": "c", "image": "kicbase/echo-server:1.0"}]}}),
        );
        c.advance(5000);
        c.node_rules("minikube").expect("node");
        assert_eq!(c.proxy.rewritten, before + 1);
        let rules = c.node_rules("minikube").expect("node");
        assert!(rules
            .service("default", "s2")
            .is_some_and(|p| p[0].endpoints == 1));
    }
}
