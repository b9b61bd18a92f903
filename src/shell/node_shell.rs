//! A shell on a node (`minikube ssh`): the node's kube-proxy rules through `iptables-save` and
//! `iptables -S`, and the node's own commands.

use super::{Output, Shell};
use crate::sim::proxy::rules::Table;
use crate::sim::proxy::save::{iptables_s, iptables_save, IPTABLES_VERSION};

/// Runs one command line on `node` (already split into words).
#[inline(never)]
pub fn run(sh: &mut Shell, node: &str, w: &[String]) -> Output {
    let Some(cmd) = w.first() else {
        return Output::ok();
    };
    let (root, w) = if cmd == "sudo" {
        (true, &w[1..])
    } else {
        (false, w)
    };
    let Some(cmd) = w.first() else {
        return Output::fail("usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABknS] [-g group] [-h host] [-p prompt] [-u user]");
    };
    let args = &w[1..];
    match cmd.as_str() {
        "iptables-save" | "iptables" => {
            if !root && cmd == "iptables-save" {
                return Output::fail(format!(
                    "iptables-save {IPTABLES_VERSION} (legacy): Cannot initialize: Permission denied (you must be root)"
                ));
            }
            if !root {
                return Output::fail(format!(
                    "{cmd} {IPTABLES_VERSION} (legacy): can't initialize iptables table `{}': Permission denied (you must be root)\nPerhaps iptables or your kernel needs to be upgraded.",
                    table_arg(args).unwrap_or("filter")
                ));
            }
            let table = match table_arg(args) {
                None => None,
                Some("nat") => Some(Table::Nat),
                Some("filter") => Some(Table::Filter),
                Some("mangle") => Some(Table::Mangle),
                Some(other) => {
                    return Output::fail(format!(
                        "{cmd} {IPTABLES_VERSION} (legacy): can't initialize iptables table `{other}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded."
                    ))
                }
            };
            let when = sh
                .cluster
                .now
                .to_datetime()
                .format("%a %b %e %H:%M:%S %Y")
                .to_string();
            let Some(rules) = sh.cluster.node_rules(node) else {
                return Output::fail(format!("ssh: could not resolve hostname {node}"));
            };
            if cmd == "iptables-save" {
                let mut o = Output::ok();
                o.out(iptables_save(rules, table, &when));
                return o;
            }
            iptables(rules, table.unwrap_or(Table::Filter), args)
        }
        "hostname" => {
            let mut o = Output::ok();
            o.out(format!("{node}\n"));
            o
        }
        "curl" => {
            let env = node_env(sh, node);
            let line = sh.line.clone();
            super::curl::curl(sh, &env, args, &line)
        }
        "exit" | "logout" => {
            sh.session = None;
            let mut o = Output::ok();
            o.out("logout\n");
            o
        }
        // what minikube's node image (kicbase, Ubuntu 22.04) has but the lab does not simulate
        other if NODE_TOOLS.split_ascii_whitespace().any(|t| t == other) => Output::fail(format!(
            "svclab: {other} is not simulated on the node; the lab's node shell runs hostname, curl, iptables-save and iptables"
        )),
        other => Output {
            chunks: vec![(
                super::Stream::Err,
                format!("-bash: {other}: command not found\n"),
            )],
            code: 127,
        },
    }
}

/// The node image's programs: coreutils and the base system, and what Kubernetes needs there
/// (iproute2, conntrack, socat, crictl, docker, systemd's tools).
const NODE_TOOLS: &str =
    "awk base64 basename bash cat chmod chown cp crictl ctr cut date dd df diff \
     dirname dmesg docker du echo env ethtool find free grep gzip head id ip ip6tables \
     ip6tables-save journalctl kill less ln ls lsof mkdir mount mv nc nsenter ping ps pwd \
     readlink rm rmdir sed sleep socat sort ss stat sudo systemctl tail tar tee test top \
     touch tr true false uname uniq uptime watch wc which whoami xargs conntrack ebtables";

fn table_arg(args: &[String]) -> Option<&str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-t" || a == "--table" {
            return it.next().map(String::as_str);
        }
        if let Some(t) = a.strip_prefix("--table=") {
            return Some(t);
        }
        if let Some(t) = a.strip_prefix("-t").filter(|t| !t.is_empty()) {
            return Some(t);
        }
    }
    None
}

/// `iptables [-t T] -S [CHAIN]` (the listing command the lab supports).
fn iptables(
    rules: &crate::sim::proxy::ruleset::NodeRules,
    table: Table,
    args: &[String],
) -> Output {
    let mut list = false;
    let mut chain: Option<&str> = None;
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-t" | "--table" => {
                it.next();
            }
            "-S" | "--list-rules" => {
                list = true;
                if let Some(c) = it.peek().filter(|c| !c.starts_with('-')) {
                    chain = Some(c.as_str());
                    it.next();
                }
            }
            "-n" | "--numeric" | "-v" | "--verbose" | "-w" | "--wait" => {}
            s if s.starts_with("-t") || s.starts_with("--table=") => {}
            other => {
                return Output::fail(format!(
                    "iptables {IPTABLES_VERSION} (legacy): svclab shows rules with -S or iptables-save; unsupported argument \"{other}\"\nTry `iptables -h' or 'iptables --help' for more information."
                ))
            }
        }
    }
    if !list {
        return Output::fail(format!(
            "iptables {IPTABLES_VERSION} (legacy): no command specified\nTry `iptables -h' or 'iptables --help' for more information."
        ));
    }
    match iptables_s(rules, table, chain) {
        Ok(s) => {
            let mut o = Output::ok();
            o.out(s);
            o
        }
        Err(e) => Output::fail(e),
    }
}

/// curl on a node: Ubuntu's curl 7.81, the node's /etc/hosts (no cluster DNS).
fn node_env(sh: &Shell, node: &str) -> super::curl::Env {
    use crate::sim::net::parse_ip;
    use crate::sim::object::{Kind, Object};
    let ip_of = |n: &Object| match n {
        Object::Node(n) => crate::sim::kubelet::node_internal_ip(n).and_then(|s| parse_ip(&s)),
        _ => None,
    };
    let nodes = sh.cluster.list(Kind::Node, None);
    let mut hosts = vec![("host.minikube.internal".to_string(), 0xc0a8_3101)];
    if let Some(ip) = nodes.first().and_then(|n| ip_of(n)) {
        hosts.push(("control-plane.minikube.internal".into(), ip));
    }
    if let Some(ip) = nodes
        .iter()
        .find(|n| n.name() == node)
        .and_then(|n| ip_of(n))
    {
        hosts.push((node.to_string(), ip));
    }
    super::curl::Env {
        client: crate::sim::proxy::walk::Client::Node(node.to_string()),
        flavor: super::curl::Flavor::V7_81,
        tty: true,
        resolver: super::curl::Resolver::HostsOnly(hosts),
    }
}
