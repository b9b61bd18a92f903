//! Cluster DNS: the pod's resolv.conf (kubelet) and the records CoreDNS serves (spec §8).

use crate::sim::cluster::Cluster;
use crate::sim::net::{ip_to_string, parse_ip};
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{Pod, Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QType {
    A,
    Aaaa,
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

fn ready_endpoint_ips(c: &Cluster, svc: &Service) -> Vec<(Option<String>, String)> {
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
        for e in &s.endpoints {
            let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
            if !ready {
                continue;
            }
            for a in &e.addresses {
                if !out.iter().any(|(_, ip)| ip == a) {
                    out.push((e.hostname.clone(), a.clone()));
                }
            }
        }
    }
    out
}

/// What CoreDNS answers for an absolute name (no trailing dot needed).
pub fn query(c: &Cluster, name: &str, qtype: QType) -> Answer {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = c.config.domain.clone();
    if name == "host.minikube.internal" {
        return addresses(qtype, vec!["192.168.49.1".into()], true);
    }
    let Some(rest) = name.strip_suffix(&format!(".{domain}")) else {
        if name == domain {
            return Answer::Addresses {
                ips: vec![],
                authoritative: true,
            };
        }
        if name.ends_with(".in-addr.arpa") || name.ends_with(".ip6.arpa") {
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
    let labels: Vec<&str> = rest.split('.').collect();
    match labels.as_slice() {
        [svc, ns, "svc"] => service_answer(c, ns, svc, qtype),
        [host, svc, ns, "svc"] => {
            let Some(Object::Service(s)) = c.get(Kind::Service, ns, svc) else {
                return Answer::NxDomain;
            };
            if !crate::sim::validate::is_headless(s) {
                return Answer::NxDomain;
            }
            let ips: Vec<String> = ready_endpoint_ips(c, s)
                .into_iter()
                .filter(|(h, ip)| h.as_deref() == Some(*host) || ip.replace('.', "-") == *host)
                .map(|(_, ip)| ip)
                .collect();
            if ips.is_empty() {
                Answer::NxDomain
            } else {
                addresses(qtype, ips, true)
            }
        }
        [dashed, ns, "pod"] => {
            if !c.namespace_exists(ns) {
                return Answer::NxDomain;
            }
            match parse_ip(&dashed.replace('-', ".")) {
                Some(ip) => addresses(qtype, vec![ip_to_string(ip)], true),
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
        QType::Aaaa => Answer::Addresses {
            ips: Vec::new(),
            authoritative,
        },
    }
}

fn service_answer(c: &Cluster, ns: &str, svc: &str, qtype: QType) -> Answer {
    let Some(Object::Service(s)) = c.get(Kind::Service, ns, svc) else {
        return Answer::NxDomain;
    };
    let spec = s.spec.clone().unwrap_or_default();
    if spec.type_.as_deref() == Some("ExternalName") {
        let target = spec.external_name.unwrap_or_default();
        if parse_ip(&target).is_some() {
            return Answer::Addresses {
                ips: vec![],
                authoritative: true,
            };
        }
        return Answer::Cname {
            target: target.trim_end_matches('.').to_string(),
        };
    }
    if crate::sim::validate::is_headless(s) {
        let ips: Vec<String> = ready_endpoint_ips(c, s)
            .into_iter()
            .map(|(_, ip)| ip)
            .collect();
        if ips.is_empty() {
            return Answer::NxDomain;
        }
        return addresses(qtype, ips, true);
    }
    let ips: Vec<String> = spec
        .cluster_ips
        .unwrap_or_default()
        .into_iter()
        .filter(|ip| ip != "None")
        .collect();
    addresses(qtype, ips, true)
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
