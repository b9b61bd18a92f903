//! The rules kube-proxy in iptables mode writes on one node (spec §4), as data: the packet walk
//! evaluates them and `iptables-save` prints them in the kernel's canonical form.

use crate::sim::net::{ip_to_string, Cidr};
use crate::sim::proxy::model::{categorize, Ep, Proto, SvcPort};
use std::fmt::Write;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Filter,
    Nat,
    /// only the canary chains kubelet and kube-proxy create to notice a flush
    Mangle,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Filter => "filter",
            Table::Nat => "nat",
            Table::Mangle => "mangle",
        }
    }
}

/// A match module, in the order kube-proxy writes them (which iptables keeps).
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    Comment(String),
    /// `-m tcp|udp|sctp [--dport N]`
    Port(Proto, Option<u16>),
    /// `-m statistic --mode random --probability p` for the i-th of n endpoints
    Random {
        n: usize,
        i: usize,
    },
    RecentCheck {
        name: Chain,
        seconds: u32,
    },
    RecentSet {
        name: Chain,
    },
    /// `-m addrtype --src-type LOCAL` (src) or `--dst-type LOCAL`
    AddrTypeLocal {
        src: bool,
    },
    Mark {
        neg: bool,
        bits: u32,
    },
    Conntrack {
        neg: bool,
        states: &'static str,
    },
    Nfacct(&'static str),
}

/// A chain's name: kube-proxy's fixed chains are static; a Service's chain is named once (its
/// name costs a SHA-256) and shared by the rules that jump to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Chain {
    Fixed(&'static str),
    Own(Arc<str>),
}

impl std::ops::Deref for Chain {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Chain::Fixed(s) => s,
            Chain::Own(s) => s,
        }
    }
}

impl PartialEq<str> for Chain {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl std::fmt::Display for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Jump(Chain),
    Accept,
    Drop,
    Reject,
    Return,
    Dnat {
        ip: u32,
        port: u16,
    },
    /// `MARK --or-mark` (kept as `--set-xmark v/v`)
    OrMark(u32),
    /// `MARK --xor-mark` (kept as `--set-xmark v/0x0`)
    XorMark(u32),
    Masquerade,
    /// No `-j`: counts and falls through (the KUBE-FW chain's last rule).
    None,
}

/// `-j KUBE-MARK-MASQ`
pub const MARK_MASQ: Target = Target::Jump(Chain::Fixed("KUBE-MARK-MASQ"));

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub src: Option<(bool, Cidr)>,
    pub dst: Option<(bool, Cidr)>,
    pub proto: Option<Proto>,
    pub matches: Vec<Match>,
    pub target: Target,
}

impl Rule {
    fn new(target: Target) -> Rule {
        Rule {
            src: None,
            dst: None,
            proto: None,
            matches: Vec::new(),
            target,
        }
    }
    fn comment(self, c: impl Into<String>) -> Rule {
        self.m(Match::Comment(c.into()))
    }
    fn m(mut self, m: Match) -> Rule {
        // most of kube-proxy's rules have one or two matches: a node holds 100,000s of rules
        if self.matches.capacity() == 0 {
            self.matches.reserve_exact(2);
        }
        self.matches.push(m);
        self
    }
    /// `-m P -p P [--dport N]`
    fn port(mut self, p: Proto, dport: Option<u16>) -> Rule {
        self.proto = Some(p);
        self.m(Match::Port(p, dport))
    }
    fn src(mut self, neg: bool, c: Cidr) -> Rule {
        self.src = Some((neg, c));
        self
    }
    fn dst(mut self, neg: bool, c: Cidr) -> Rule {
        self.dst = Some((neg, c));
        self
    }
    fn dst_ip(self, ip: u32) -> Rule {
        self.dst(false, host(ip))
    }

    /// The rule as `iptables-save` prints it after the chain name (spec §4.7).
    pub fn canonical(&self) -> String {
        let mut s = String::new();
        if let Some((neg, c)) = self.src {
            let _ = write!(s, " {}-s {c}", if neg { "! " } else { "" });
        }
        if let Some((neg, c)) = self.dst {
            let _ = write!(s, " {}-d {c}", if neg { "! " } else { "" });
        }
        if let Some(p) = self.proto {
            let _ = write!(s, " -p {}", p.lower());
        }
        for m in &self.matches {
            match m {
                Match::Comment(c) => {
                    let _ = write!(s, " -m comment --comment \"{}\"", c.replace('"', "\\\""));
                }
                Match::Port(p, dport) => {
                    let _ = write!(s, " -m {}", p.lower());
                    if let Some(d) = dport {
                        let _ = write!(s, " --dport {d}");
                    }
                }
                Match::Random { n, i } => {
                    let _ = write!(
                        s,
                        " -m statistic --mode random --probability {}",
                        kernel_probability(*n - *i)
                    );
                }
                Match::RecentCheck { name, seconds } => {
                    let _ = write!(s, " -m recent --rcheck --seconds {seconds} --reap --name {name} --mask 255.255.255.255 --rsource");
                }
                Match::RecentSet { name } => {
                    let _ = write!(
                        s,
                        " -m recent --set --name {name} --mask 255.255.255.255 --rsource"
                    );
                }
                Match::AddrTypeLocal { src } => {
                    let _ = write!(
                        s,
                        " -m addrtype --{}-type LOCAL",
                        if *src { "src" } else { "dst" }
                    );
                }
                Match::Mark { neg, bits } => {
                    let _ = write!(
                        s,
                        " -m mark {}--mark {bits:#x}/{bits:#x}",
                        if *neg { "! " } else { "" }
                    );
                }
                Match::Conntrack { neg, states } => {
                    let _ = write!(
                        s,
                        " -m conntrack {}--ctstate {states}",
                        if *neg { "! " } else { "" }
                    );
                }
                Match::Nfacct(name) => {
                    // libxt_nfacct prints the name after two spaces
                    let _ = write!(s, " -m nfacct --nfacct-name  {name}");
                }
            }
        }
        match &self.target {
            Target::Jump(c) => {
                let _ = write!(s, " -j {c}");
            }
            Target::Accept => s.push_str(" -j ACCEPT"),
            Target::Drop => s.push_str(" -j DROP"),
            Target::Reject => s.push_str(" -j REJECT --reject-with icmp-port-unreachable"),
            Target::Return => s.push_str(" -j RETURN"),
            Target::Dnat { ip, port } => {
                let _ = write!(s, " -j DNAT --to-destination {}:{port}", ip_to_string(*ip));
            }
            Target::OrMark(v) => {
                let _ = write!(s, " -j MARK --set-xmark {v:#x}/{v:#x}");
            }
            Target::XorMark(v) => {
                let _ = write!(s, " -j MARK --set-xmark {v:#x}/0x0");
            }
            Target::Masquerade => s.push_str(" -j MASQUERADE --random-fully"),
            Target::None => {}
        }
        s
    }
}

pub fn host(ip: u32) -> Cidr {
    Cidr {
        base: ip,
        prefix: 32,
    }
}

pub fn loopback() -> Cidr {
    Cidr {
        base: 0x7f00_0000,
        prefix: 8,
    }
}

/// kube-proxy writes `%0.10f` of 1/n; the kernel keeps it as a 31-bit fraction and
/// `iptables-save` prints that with 11 decimals (spec §4.7).
pub fn kernel_probability(n: usize) -> String {
    let p = written_probability(n);
    let q = (p * 2f64.powi(31)).round() / 2f64.powi(31);
    format!("{q:.11}")
}

/// The probability as kube-proxy writes it (`computeProbability`: `%0.10f` of 1/n), parsed back.
pub fn written_probability(n: usize) -> f64 {
    let s = format!("{:.10}", 1.0 / n.max(1) as f64);
    s.parse().unwrap_or(1.0)
}

/// The kernel's 31-bit threshold for a random match: a draw below it matches.
pub fn probability_threshold(n: usize) -> u32 {
    (written_probability(n) * 2f64.powi(31)).round() as u32
}

/// Settings of one kube-proxy that shape its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxyParams {
    pub node: String,
    pub zone: String,
    pub node_ip: u32,
    pub cluster_cidr: Option<Cidr>,
    pub masquerade_all: bool,
    pub mark: u32,
    pub localhost_node_ports: bool,
    /// More than 1000 endpoints in all: the SVC→SEP and SEP rules lose their comments.
    pub large_cluster: bool,
}

/// The rules of one Service port on one node: rules appended to shared chains and the
/// Service's own chains, each in kube-proxy's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PortRules {
    /// (table, shared chain, rule)
    pub shared: Vec<(Table, &'static str, Rule)>,
    /// the nat policy chains owned by this Service port (SVC, SVL, EXT, FW), in the order written
    pub chains: Vec<(Chain, Vec<Rule>)>,
    /// the endpoint chains (KUBE-SEP-*), written after the policy chains. Kept compact and
    /// their two rules written when read: a large cluster has 100,000 of them on every node.
    pub seps: Vec<Sep>,
    /// what every endpoint chain's rules share
    sep_comment: Option<String>,
    sep_proto: Proto,
    sep_affinity: bool,
    /// number of endpoints (for the large-cluster threshold)
    pub endpoints: usize,
}

/// One endpoint chain: its name and where it DNATs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Sep {
    pub name: Chain,
    pub ip: u32,
    pub port: u16,
}

impl PortRules {
    /// An endpoint chain's rules: the hairpin masquerade mark, then the DNAT.
    pub fn sep_rules(&self, sep: &Sep) -> Vec<Rule> {
        let mut hair = Rule::new(MARK_MASQ).src(false, host(sep.ip));
        let mut dnat = Rule::new(Target::Dnat {
            ip: sep.ip,
            port: sep.port,
        });
        if let Some(s) = &self.sep_comment {
            // the bare Service name, which kube-proxy writes unquoted
            hair = hair.comment(s.clone());
            dnat = dnat.comment(s.clone());
        }
        if self.sep_affinity {
            dnat = dnat.m(Match::RecentSet {
                name: sep.name.clone(),
            });
        }
        vec![hair, dnat.port(self.sep_proto, None)]
    }

    /// One of this Service port's chains by name, with its rules.
    pub fn own_chain(&self, name: &str) -> Option<std::borrow::Cow<'_, [Rule]>> {
        use std::borrow::Cow;
        if let Some((_, rules)) = self.chains.iter().find(|(n, _)| **n == *name) {
            return Some(Cow::Borrowed(rules.as_slice()));
        }
        let sep = self.seps.iter().find(|s| *s.name == *name)?;
        Some(Cow::Owned(self.sep_rules(sep)))
    }

    /// The names of this Service port's chains, in the order written.
    pub fn own_chain_names(&self) -> impl Iterator<Item = &Chain> {
        self.chains
            .iter()
            .map(|(n, _)| n)
            .chain(self.seps.iter().map(|s| &s.name))
    }
}

/// `syncProxyRules`' per-Service-port body (spec §4.3).
pub fn port_rules(sp: &SvcPort, eps: &[Ep], p: &ProxyParams) -> PortRules {
    let cat = categorize(sp, eps, &p.node, &p.zone);
    let mut out = PortRules {
        endpoints: eps.len(),
        ..Default::default()
    };
    let s = &sp.spn;
    let proto = sp.proto;
    let cluster: &[usize] = cat.cluster.as_deref().unwrap_or_default();
    let local: &[usize] = cat.local.as_deref().unwrap_or_default();
    let uses_cluster_chain = !cluster.is_empty() && sp.uses_cluster_endpoints();
    let uses_local_chain = !local.is_empty() && sp.uses_local_endpoints();
    let has_endpoints = cat.has_any;
    let (svc, svl, ext, fw) = (
        sp.svc_chain(),
        sp.svl_chain(),
        sp.ext_chain(),
        sp.fw_chain(),
    );
    // each endpoint chain's name costs a SHA-256: compute the reachable ones once
    let mut sep_names: Vec<Option<Chain>> = vec![None; eps.len()];
    for &i in &cat.all_reachable {
        sep_names[i] = Some(sp.sep_chain(&eps[i]));
    }
    let sep_of = |i: usize| {
        sep_names[i]
            .clone()
            .unwrap_or_else(|| sp.sep_chain(&eps[i]))
    };

    let (internal_chain, has_internal) = if sp.internal_local {
        (svl.clone(), !local.is_empty())
    } else {
        (svc.clone(), has_endpoints)
    };
    let (external_chain, has_external) = if sp.external_local {
        (svl.clone(), !local.is_empty())
    } else {
        (svc.clone(), has_endpoints)
    };
    let uses_fw = has_endpoints && !sp.lb_ips.is_empty() && !sp.source_ranges.is_empty();
    let lb_chain = if uses_fw { fw.clone() } else { ext.clone() };
    // REJECT without endpoints at all, DROP without local ones (the comments are written only
    // when a rule needs them)
    let no_endpoints = |has: bool| -> (Target, String) {
        match (has_endpoints, has) {
            (true, false) => (Target::Drop, format!("{s} has no local endpoints")),
            _ => (Target::Reject, format!("{s} has no endpoints")),
        }
    };
    let (int_target, int_comment) = no_endpoints(has_internal);
    let (ext_target, ext_comment) = if has_external {
        (Target::Reject, String::new())
    } else {
        no_endpoints(false)
    };
    let mut shared = |t: Table, chain: &'static str, r: Rule| out.shared.push((t, chain, r));

    // clusterIP
    if has_internal {
        let r = Rule::new(Target::Jump(internal_chain.clone()))
            .dst_ip(sp.cluster_ip)
            .comment(format!("{s} cluster IP"))
            .port(proto, Some(sp.port));
        shared(Table::Nat, "KUBE-SERVICES", r);
    } else {
        let r = Rule::new(int_target)
            .dst_ip(sp.cluster_ip)
            .comment(int_comment)
            .port(proto, Some(sp.port));
        shared(Table::Filter, "KUBE-SERVICES", r);
    }
    // externalIPs
    for &x in &sp.external_ips {
        if has_endpoints {
            let r = Rule::new(Target::Jump(ext.clone()))
                .dst_ip(x)
                .comment(format!("{s} external IP"))
                .port(proto, Some(sp.port));
            shared(Table::Nat, "KUBE-SERVICES", r);
        }
        if !has_external {
            let r = Rule::new(ext_target.clone())
                .dst_ip(x)
                .comment(ext_comment.clone())
                .port(proto, Some(sp.port));
            shared(Table::Filter, "KUBE-EXTERNAL-SERVICES", r);
        }
    }
    // load-balancer ingress IPs
    if has_endpoints {
        for &l in &sp.lb_ips {
            let r = Rule::new(Target::Jump(lb_chain.clone()))
                .dst_ip(l)
                .comment(format!("{s} loadbalancer IP"))
                .port(proto, Some(sp.port));
            shared(Table::Nat, "KUBE-SERVICES", r);
        }
    }
    if uses_fw {
        for &l in &sp.lb_ips {
            let r = Rule::new(Target::Drop)
                .dst_ip(l)
                .comment(format!("{s} traffic not accepted by {fw}"))
                .port(proto, Some(sp.port));
            shared(Table::Filter, "KUBE-PROXY-FIREWALL", r);
        }
    }
    if !has_external {
        for &l in &sp.lb_ips {
            let r = Rule::new(ext_target.clone())
                .dst_ip(l)
                .comment(ext_comment.clone())
                .port(proto, Some(sp.port));
            shared(Table::Filter, "KUBE-EXTERNAL-SERVICES", r);
        }
    }
    // nodePort
    if sp.node_port != 0 {
        if has_endpoints {
            if p.localhost_node_ports {
                let r = Rule::new(Target::Jump(ext.clone()))
                    .dst(false, loopback())
                    .comment(s.clone())
                    .port(proto, Some(sp.node_port))
                    .m(Match::Nfacct("localhost_nps_accepted_pkts"));
                shared(Table::Nat, "KUBE-NODEPORTS", r);
            }
            let r = Rule::new(Target::Jump(ext.clone()))
                .comment(s.clone())
                .port(proto, Some(sp.node_port));
            shared(Table::Nat, "KUBE-NODEPORTS", r);
        }
        if !has_external {
            let mut r = Rule::new(ext_target.clone()).comment(ext_comment.clone());
            r = r.m(Match::AddrTypeLocal { src: false });
            r = r.port(proto, Some(sp.node_port));
            shared(Table::Filter, "KUBE-EXTERNAL-SERVICES", r);
        }
    }
    // health-check node port
    if sp.health_check_node_port != 0 {
        let r = Rule::new(Target::Accept)
            .comment(format!("{s} health check node port"))
            .port(Proto::Tcp, Some(sp.health_check_node_port));
        shared(Table::Filter, "KUBE-NODEPORTS", r);
    }

    let mut chains: Vec<(Chain, Vec<Rule>)> = Vec::with_capacity(4);
    // the chain written to is nearly always the newest: search from the end
    let chain_rules = |name: &Chain, r: Rule, chains: &mut Vec<(Chain, Vec<Rule>)>| match chains
        .iter_mut()
        .rev()
        .find(|(n, _)| n == name)
    {
        Some((_, rules)) => rules.push(r),
        None => chains.push((name.clone(), vec![r])),
    };
    // sized for its rules: 100,000 endpoints make many chains
    let declare = |name: &Chain, rules: usize, chains: &mut Vec<(Chain, Vec<Rule>)>| {
        if !chains.iter().any(|(n, _)| n == name) {
            chains.push((name.clone(), Vec::with_capacity(rules)));
        }
    };
    let policy_rules = |n: usize| 1 + n * (1 + usize::from(sp.affinity_seconds.is_some()));
    if uses_cluster_chain {
        declare(&svc, policy_rules(cluster.len()), &mut chains);
    }
    if uses_local_chain {
        declare(&svl, policy_rules(local.len()), &mut chains);
    }
    if has_endpoints && sp.externally_accessible() {
        declare(&ext, 4, &mut chains);
    }
    if uses_fw {
        declare(
            &fw,
            2 + sp.source_ranges.len() + sp.lb_ips.len(),
            &mut chains,
        );
    }
    // internal masquerade: first rule of the internal policy chain
    if has_internal {
        let base = Rule::new(MARK_MASQ)
            .dst_ip(sp.cluster_ip)
            .comment(format!("{s} cluster IP"))
            .port(proto, Some(sp.port));
        if p.masquerade_all {
            chain_rules(&internal_chain, base, &mut chains);
        } else if let Some(cidr) = p.cluster_cidr {
            chain_rules(&internal_chain, base.src(true, cidr), &mut chains);
        }
    }
    // the EXT chain
    if has_endpoints && sp.externally_accessible() {
        if !sp.external_local {
            let r = Rule::new(MARK_MASQ)
                .comment(format!("masquerade traffic for {s} external destinations"));
            chain_rules(&ext, r, &mut chains);
        } else {
            if let Some(cidr) = p.cluster_cidr {
                let r = Rule::new(Target::Jump(svc.clone()))
                    .src(false, cidr)
                    .comment(format!("pod traffic for {s} external destinations"));
                chain_rules(&ext, r, &mut chains);
            }
            let r = Rule::new(MARK_MASQ)
                .comment(format!(
                    "masquerade LOCAL traffic for {s} external destinations"
                ))
                .m(Match::AddrTypeLocal { src: true });
            chain_rules(&ext, r, &mut chains);
            let r = Rule::new(Target::Jump(svc.clone()))
                .comment(format!("route LOCAL traffic for {s} external destinations"))
                .m(Match::AddrTypeLocal { src: true });
            chain_rules(&ext, r, &mut chains);
        }
        if has_external {
            chain_rules(
                &ext,
                Rule::new(Target::Jump(external_chain.clone())),
                &mut chains,
            );
        }
    }
    // the FW chain
    if uses_fw {
        for r in &sp.source_ranges {
            let rule = Rule::new(Target::Jump(ext.clone()))
                .src(false, *r)
                .comment(format!("{s} loadbalancer IP"));
            chain_rules(&fw, rule, &mut chains);
        }
        // the node may reach its own load balancer when a range contains the node's IP
        if sp.source_ranges.iter().any(|r| r.contains(p.node_ip)) {
            for &l in &sp.lb_ips {
                let rule = Rule::new(Target::Jump(ext.clone()))
                    .src(false, host(l))
                    .comment(format!("{s} loadbalancer IP"));
                chain_rules(&fw, rule, &mut chains);
            }
        }
        chain_rules(
            &fw,
            Rule::new(Target::None).comment(format!(
                "other traffic to {s} will be dropped by KUBE-PROXY-FIREWALL"
            )),
            &mut chains,
        );
    }
    // policy chains
    let sep_comment = |e: &Ep| (!p.large_cluster).then(|| format!("{s} -> {}", e.addr));
    let write_policy = |chain: &Chain, list: &[usize], chains: &mut Vec<(Chain, Vec<Rule>)>| {
        if let Some(secs) = sp.affinity_seconds {
            for &i in list {
                let sep = sep_of(i);
                let mut r = Rule::new(Target::Jump(sep.clone()));
                if let Some(c) = sep_comment(&eps[i]) {
                    r = r.comment(c);
                }
                r = r.m(Match::RecentCheck {
                    name: sep,
                    seconds: secs,
                });
                chain_rules(chain, r, chains);
            }
        }
        let n = list.len();
        for (k, &i) in list.iter().enumerate() {
            let sep = sep_of(i);
            let mut r = Rule::new(Target::Jump(sep));
            if let Some(c) = sep_comment(&eps[i]) {
                r = r.comment(c);
            }
            if k + 1 < n {
                r = r.m(Match::Random { n, i: k });
            }
            chain_rules(chain, r, chains);
        }
    };
    if uses_cluster_chain {
        write_policy(&svc, cluster, &mut chains);
    }
    if uses_local_chain {
        write_policy(&svl, local, &mut chains);
    }
    // endpoint chains: every reachable endpoint has its own, written once
    out.seps = cat
        .all_reachable
        .iter()
        .map(|&i| Sep {
            name: sep_of(i),
            ip: eps[i].ip,
            port: eps[i].port,
        })
        .collect();
    out.sep_comment = (!p.large_cluster).then(|| s.clone());
    out.sep_proto = proto;
    out.sep_affinity = sp.affinity_seconds.is_some();
    out.chains = chains;
    out
}
