//! Cluster DNS: the pod's resolv.conf (kubelet) and the records CoreDNS serves (spec §8).

use crate::sim::cluster::Cluster;
use crate::sim::net::{ip_to_string, parse_ip};
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{Pod, Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QType {
    A,
    Aaaa,
    Srv,
    Ptr,
    Cname,
    /// any type the cluster zone holds no records of (MX, TXT, NS, …): NODATA where the name exists
    Other,
}

/// One reply from CoreDNS.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// NOERROR with these addresses (empty: NODATA). `authoritative` is false for forwarded names.
    Addresses {
        ips: Vec<String>,
        authoritative: bool,
    },
    /// A CNAME (ExternalName Services); the target is outside the lab and not resolved further.
    Cname {
        target: String,
    },
    /// SRV records: (priority, weight, port, target without the trailing dot).
    Srv {
        records: Vec<(u16, u16, u16, String)>,
    },
    /// PTR records (names without the trailing dot).
    Ptr {
        names: Vec<String>,
    },
    NxDomain,
    /// The upstream resolver cannot be reached (the lab has no internet).
    ServFail,
}

/// The search list of a pod's resolv.conf (dnsPolicy ClusterFirst).
pub fn search_domains(namespace: &str, domain: &str) -> Vec<String> {
    vec![
        format!("{namespace}.svc.{domain}"),
        format!("svc.{domain}"),
        domain.to_string(),
    ]
}

fn uses_cluster_dns(pod: &Pod) -> bool {
    let spec = pod.spec.clone().unwrap_or_default();
    let policy = spec.dns_policy.unwrap_or_else(|| "ClusterFirst".into());
    let host_net = spec.host_network.unwrap_or(false);
    policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !host_net)
}

/// `/etc/resolv.conf` as cri-dockerd writes it (minikube's default runtime): nameserver, search, options.
pub fn resolv_conf(c: &Cluster, pod: &Pod) -> String {
    if !uses_cluster_dns(pod) {
        return "nameserver 192.168.49.1\noptions edns0 trust-ad ndots:0\n".into();
    }
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let mut searches = search_domains(&ns, &c.config.domain);
    let mut servers = vec![ip_to_string(c.config.dns_ip)];
    let mut options = vec!["ndots:5".to_string()];
    if let Some(cfg) = pod.spec.as_ref().and_then(|s| s.dns_config.as_ref()) {
        servers.extend(cfg.nameservers.clone().unwrap_or_default());
        searches.extend(cfg.searches.clone().unwrap_or_default());
        for o in cfg.options.iter().flatten() {
            let name = o.name.clone().unwrap_or_default();
            options.retain(|x| x.split(':').next() != Some(name.as_str()));
            match &o.value {
                Some(v) => options.push(format!("{name}:{v}")),
                None => options.push(name),
            }
        }
    }
    format!(
        "nameserver {}\nsearch {}\noptions {}\n",
        servers.join("\nnameserver "),
        searches.join(" "),
        options.join(" ")
    )
}

/// The ready endpoints of a Service as CoreDNS's `EndpointSliceToEndpoints` sees them: per
/// slice, its ports (a sentinel port -1 when it has none) and its ready addresses with their
/// hostnames.
type Subset = (Vec<(String, String, i32)>, Vec<(Option<String>, String)>);

fn endpoint_subsets(c: &Cluster, svc: &Service) -> Vec<Subset> {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let mut out = Vec::new();
    for o in c.list(Kind::EndpointSlice, Some(&ns)) {
        let Object::EndpointSlice(s) = o else {
            continue;
        };
        if s.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/service-name"))
            != Some(&name)
        {
            continue;
        }
        let mut ports: Vec<(String, String, i32)> = s
            .ports
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.name.clone().unwrap_or_default(),
                    p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    p.port.unwrap_or(-1),
                )
            })
            .collect();
        if ports.is_empty() {
            ports.push((String::new(), String::new(), -1));
        }
        let addrs = s
            .endpoints
            .iter()
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
            .flat_map(|e| e.addresses.iter().map(|a| (e.hostname.clone(), a.clone())))
            .collect();
        out.push((ports, addrs));
    }
    out
}

/// One entry of the kubernetes plugin's `findServices`: an address (or an ExternalName's
/// host), a port, and the name an SRV record points at.
struct Entry {
    host: String,
    port: i32,
    target: String,
}

/// `matchPortAndProtocol`: an empty request part matches anything, the rest case-insensitively.
fn port_matches(want_port: &str, want_proto: &str, port: &str, proto: &str) -> bool {
    (want_port.is_empty() || want_port.eq_ignore_ascii_case(port))
        && (want_proto.is_empty() || want_proto.eq_ignore_ascii_case(proto))
}

/// `findServices` for `[_port._proto.|endpoint.]svc.ns.svc.<zone>`: None is NXDOMAIN.
fn find_services(
    c: &Cluster,
    ns: &str,
    svc: &str,
    endpoint: &str,
    port: &str,
    proto: &str,
) -> Option<Vec<Entry>> {
    let Some(Object::Service(s)) = c.get(Kind::Service, ns, svc) else {
        return None;
    };
    let domain = &c.config.domain;
    let spec = s.spec.clone().unwrap_or_default();
    let base = format!("{svc}.{ns}.svc.{domain}");
    if spec.type_.as_deref() == Some("ExternalName") {
        // no endpoints, no port or protocol labels
        if !endpoint.is_empty() || !port.is_empty() || !proto.is_empty() {
            return None;
        }
        let target = spec.external_name.unwrap_or_default();
        let target = target.trim_end_matches('.').to_string();
        // an IP is not a host name: no record
        if parse_ip(&target).is_some() {
            return None;
        }
        return Some(vec![Entry {
            host: target.clone(),
            port: 0,
            target,
        }]);
    }
    let mut out = Vec::new();
    if crate::sim::validate::is_headless(s) || !endpoint.is_empty() {
        for (ports, addrs) in endpoint_subsets(c, s) {
            for (hostname, ip) in &addrs {
                let host_label = hostname
                    .clone()
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| ip.replace(['.', ':'], "-"));
                if !endpoint.is_empty() && !endpoint.eq_ignore_ascii_case(&host_label) {
                    continue;
                }
                for (pname, pproto, pnum) in &ports {
                    if !port_matches(port, proto, pname, pproto) {
                        continue;
                    }
                    out.push(Entry {
                        host: ip.clone(),
                        port: *pnum,
                        target: format!("{host_label}.{base}"),
                    });
                }
            }
        }
    } else {
        for p in spec.ports.iter().flatten() {
            let pname = p.name.clone().unwrap_or_default();
            let pproto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            if !port_matches(port, proto, &pname, &pproto) {
                continue;
            }
            for ip in spec.cluster_ips.iter().flatten().filter(|ip| *ip != "None") {
                out.push(Entry {
                    host: ip.clone(),
                    port: p.port,
                    target: base.clone(),
                });
            }
        }
    }
    // errNoItems unless something matched
    (!out.is_empty()).then_some(out)
}

/// The answer of the entries for one query type (`plugin/backend_lookup.go`).
fn answer_of(entries: Vec<Entry>, qtype: QType) -> Answer {
    let cname = entries.iter().find(|e| parse_ip(&e.host).is_none());
    match qtype {
        QType::A | QType::Aaaa | QType::Other => {
            if let (Some(e), QType::A | QType::Aaaa) = (cname, qtype) {
                return Answer::Cname {
                    target: e.host.clone(),
                };
            }
            let mut ips: Vec<String> = Vec::new();
            if qtype == QType::A {
                for e in &entries {
                    if !ips.contains(&e.host) {
                        ips.push(e.host.clone());
                    }
                }
            }
            Answer::Addresses {
                ips,
                authoritative: true,
            }
        }
        QType::Srv => {
            // every entry has weight 100 and priority 0: each record gets 100/n, at least 1
            let n = entries.len().max(1);
            let weight = u16::try_from((100 / n).max(1)).unwrap_or(1);
            let mut records: Vec<(u16, u16, u16, String)> = Vec::new();
            for e in entries.into_iter().filter(|e| e.port != -1) {
                let port = u16::try_from(e.port).unwrap_or(0);
                if !records.iter().any(|r| r.2 == port && r.3 == e.target) {
                    records.push((0, weight, port, e.target));
                }
            }
            Answer::Srv { records }
        }
        QType::Cname => match cname {
            Some(e) => Answer::Cname {
                target: e.host.clone(),
            },
            None => Answer::Addresses {
                ips: Vec::new(),
                authoritative: true,
            },
        },
        QType::Ptr => Answer::Addresses {
            ips: Vec::new(),
            authoritative: true,
        },
    }
}

/// `serviceRecordForIP`: a Service's ClusterIP names the Service; otherwise an endpoint with a
/// hostname names itself. Other addresses fall through upstream, which has no answer here.
fn reverse(c: &Cluster, ip: &str) -> Answer {
    let domain = &c.config.domain;
    for o in c.list(Kind::Service, None) {
        if let Object::Service(s) = o {
            let spec = s.spec.as_ref();
            if spec
                .and_then(|sp| sp.cluster_ips.as_ref())
                .is_some_and(|ips| ips.iter().any(|i| i == ip))
            {
                return Answer::Ptr {
                    names: vec![format!("{}.{}.svc.{domain}", o.name(), o.namespace())],
                };
            }
        }
    }
    let mut names = Vec::new();
    for o in c.list(Kind::Service, None) {
        if let Object::Service(s) = o {
            for (_, addrs) in endpoint_subsets(c, s) {
                for (hostname, a) in addrs {
                    if let Some(h) = hostname.filter(|h| !h.is_empty() && a == ip) {
                        names.push(format!("{h}.{}.{}.svc.{domain}", o.name(), o.namespace()));
                    }
                }
            }
        }
    }
    if names.is_empty() {
        Answer::NxDomain
    } else {
        Answer::Ptr { names }
    }
}

/// The reverse name a resolver asks for an IPv4 address (`d.c.b.a.in-addr.arpa`).
pub fn reverse_name(ip: u32) -> String {
    let b = ip.to_be_bytes();
    format!("{}.{}.{}.{}.in-addr.arpa", b[3], b[2], b[1], b[0])
}

/// What CoreDNS answers for an absolute name (no trailing dot needed).
pub fn query(c: &Cluster, name: &str, qtype: QType) -> Answer {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = c.config.domain.clone();
    if name == "host.minikube.internal" {
        return addresses(qtype, vec!["192.168.49.1".into()], true);
    }
    if let Some(rev) = name.strip_suffix(".in-addr.arpa") {
        let mut octets: Vec<&str> = rev.split('.').collect();
        octets.reverse();
        let ip = octets.join(".");
        return match parse_ip(&ip) {
            Some(_) if qtype == QType::Ptr => reverse(c, &ip),
            _ => Answer::NxDomain,
        };
    }
    let Some(rest) = name.strip_suffix(&format!(".{domain}")) else {
        if name == domain {
            return Answer::Addresses {
                ips: vec![],
                authoritative: true,
            };
        }
        if name.ends_with(".ip6.arpa") {
            return Answer::NxDomain;
        }
        // forwarded upstream: names under a top-level domain that does not exist are NXDOMAIN
        // (the root zone is known); real internet names cannot be resolved, the lab is offline
        return if has_public_tld(&name) {
            Answer::ServFail
        } else {
            Answer::NxDomain
        };
    };
    let nodata = Answer::Addresses {
        ips: vec![],
        authoritative: true,
    };
    let labels: Vec<&str> = rest.split('.').collect();
    let strip = |l: &str| l.strip_prefix('_').unwrap_or(l).to_string();
    // `parseRequest`: from the right, svc|pod, namespace, service, then an endpoint or a
    // port and protocol; anything longer is NXDOMAIN
    match labels.as_slice() {
        ["svc"] | ["pod"] => nodata,
        [ns, "svc" | "pod"] => {
            if c.namespace_exists(ns) {
                nodata
            } else {
                Answer::NxDomain
            }
        }
        [svc, ns, "svc"] => match find_services(c, ns, svc, "", "", "") {
            Some(e) => answer_of(e, qtype),
            None => Answer::NxDomain,
        },
        [endpoint, svc, ns, "svc"] => match find_services(c, ns, svc, endpoint, "", "") {
            Some(e) => answer_of(e, qtype),
            None => Answer::NxDomain,
        },
        [port, proto, svc, ns, "svc"] => {
            match find_services(c, ns, svc, "", &strip(port), &strip(proto)) {
                Some(e) => answer_of(e, qtype),
                None => Answer::NxDomain,
            }
        }
        [dashed, ns, "pod"] => {
            if !c.namespace_exists(ns) {
                return Answer::NxDomain;
            }
            match parse_ip(&dashed.replace('-', ".")) {
                Some(ip) => match qtype {
                    QType::A => addresses(qtype, vec![ip_to_string(ip)], true),
                    _ => nodata,
                },
                None => Answer::NxDomain,
            }
        }
        _ => Answer::NxDomain,
    }
}

/// Is the name under a delegated top-level domain (generic ones, or any two-letter country code)?
pub fn has_public_tld(name: &str) -> bool {
    let tld = name.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    if !name.contains('.') {
        return false;
    }
    (tld.len() == 2 && tld.bytes().all(|b| b.is_ascii_lowercase()))
        || matches!(
            tld,
            "com"
                | "net"
                | "org"
                | "edu"
                | "gov"
                | "mil"
                | "int"
                | "io"
                | "dev"
                | "app"
                | "info"
                | "biz"
                | "cloud"
                | "tech"
                | "xyz"
                | "online"
                | "site"
                | "ai"
                | "arpa"
                | "name"
                | "pro"
                | "mobi"
                | "aero"
                | "coop"
                | "museum"
                | "jobs"
                | "travel"
                | "page"
                | "blog"
                | "shop"
        )
}

fn addresses(qtype: QType, ips: Vec<String>, authoritative: bool) -> Answer {
    match qtype {
        QType::A => Answer::Addresses { ips, authoritative },
        _ => Answer::Addresses {
            ips: Vec::new(),
            authoritative,
        },
    }
}

/// The names a libc resolver tries, in order, for `name` typed in a pod (ndots:5).
pub fn candidates(name: &str, search: &[String], ndots: usize) -> Vec<String> {
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_string()];
    }
    let dots = name.matches('.').count();
    let mut out = Vec::new();
    if dots >= ndots {
        out.push(name.to_string());
    }
    for s in search {
        out.push(format!("{name}.{s}"));
    }
    if dots < ndots {
        out.push(name.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_try_the_search_list_first() {
        let s = search_domains("shop", "cluster.local");
        assert_eq!(
            candidates("my-svc.other", &s, 5),
            vec![
                "my-svc.other.shop.svc.cluster.local",
                "my-svc.other.svc.cluster.local",
                "my-svc.other.cluster.local",
                "my-svc.other"
            ]
        );
        assert_eq!(candidates("a.b.", &s, 5), vec!["a.b"]);
    }

    #[test]
    fn kube_dns_resolves_in_a_fresh_cluster() {
        let c = Cluster::new(1);
        assert_eq!(
            query(&c, "kube-dns.kube-system.svc.cluster.local", QType::A),
            Answer::Addresses {
                ips: vec!["10.96.0.10".into()],
                authoritative: true
            }
        );
        assert_eq!(
            query(&c, "nope.default.svc.cluster.local", QType::A),
            Answer::NxDomain
        );
    }
}
