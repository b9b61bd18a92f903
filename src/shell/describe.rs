//! `kubectl describe` for Services, Pods, Nodes and Deployments (`pkg/describe/describe.go`).

use super::kubectl::{namespace, parse, resolve_kind};
use super::printers::{age, node_roles};
use super::tabwriter::TabWriter;
use super::{errors, Output, Shell};
use crate::sim::api::ApiError;
use crate::sim::cluster::{Cluster, LAST_APPLIED};
use crate::sim::labels::format_labels;
use crate::sim::object::{Kind, Object};
use crate::sim::time::rfc1123z;
use k8s_openapi::api::core::v1::{Node, Pod, Probe, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            super::flags::flag("all-namespaces", Some('A')),
            super::flags::val("selector", Some('l')),
            super::flags::flag("show-events", None),
        ],
        "kubectl describe",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let Some(first) = p.args.first() else {
        return Output::fail("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples");
    };
    // a type list (or `all`) without names describes every object of each type
    let mut kinds: Vec<Kind> = Vec::new();
    let (kind, names): (Kind, Vec<String>) = match first.split_once('/') {
        Some((t, n)) => match resolve_kind(t) {
            Ok(k) => (k, vec![n.to_string()]),
            Err(e) => return Output::fail(e),
        },
        None if p.args.len() == 1 => {
            for t in first.split(',').filter(|t| !t.is_empty()) {
                let expanded: Vec<Kind> = if t == "all" {
                    vec![
                        Kind::Pod,
                        Kind::Service,
                        Kind::DaemonSet,
                        Kind::Deployment,
                        Kind::ReplicaSet,
                    ]
                } else {
                    match resolve_kind(t) {
                        Ok(k) => vec![k],
                        Err(e) => return Output::fail(e),
                    }
                };
                for k in expanded {
                    if !kinds.contains(&k) {
                        kinds.push(k);
                    }
                }
            }
            match kinds.first() {
                Some(k) => (*k, Vec::new()),
                None => return Output::fail(resolve_kind(first).err().unwrap_or_default()),
            }
        }
        None => {
            let t = match super::kubectl::single_resource(first) {
                Ok(t) => t,
                Err(e) => return Output::fail(e),
            };
            match resolve_kind(t) {
                Ok(k) => (k, p.args[1..].to_vec()),
                Err(e) => return Output::fail(e),
            }
        }
    };
    let c = &sh.cluster;
    let mut out = Output::ok();
    let all_ns = p.bool("all-namespaces");
    let list_ns = if all_ns || !kind.namespaced() {
        None
    } else {
        Some(ns.as_str())
    };
    let selector = match p.get("selector").map(crate::sim::labels::parse).transpose() {
        Ok(s) => s,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    if names.is_empty() {
        let objs: Vec<&Object> = kinds
            .iter()
            .flat_map(|k| {
                let list_ns = if all_ns || !k.namespaced() {
                    None
                } else {
                    Some(ns.as_str())
                };
                c.list(*k, list_ns)
            })
            .filter(|o| {
                selector
                    .as_ref()
                    .is_none_or(|s| s.matches(&o.meta().labels.clone().unwrap_or_default()))
            })
            .collect();
        if objs.is_empty() {
            out.err(if all_ns {
                "No resources found\n".to_string()
            } else {
                format!("No resources found in {ns} namespace.\n")
            });
            return out;
        }
        let texts: Vec<String> = objs.iter().map(|o| describe(c, o)).collect();
        out.out(texts.join("\n\n"));
        return out;
    }
    let mut first_printed = true;
    for n in &names {
        match c.get(kind, &ns, n) {
            Some(o) => {
                if !first_printed {
                    out.out("\n\n");
                }
                first_printed = false;
                out.out(describe(c, o));
            }
            None => {
                // DescribeMatchingResources: every object whose name starts with the argument
                let matches: Vec<&Object> = c
                    .list(kind, list_ns)
                    .into_iter()
                    .filter(|o| o.name().starts_with(n.as_str()))
                    .collect();
                if matches.is_empty() {
                    out.err(format!(
                        "{}\n",
                        errors::single(&ApiError::not_found(kind, n))
                    ));
                    out.code = 1;
                }
                for o in matches {
                    out.out(describe(c, o));
                    out.out("\n");
                }
            }
        }
    }
    out
}

fn describe(c: &Cluster, o: &Object) -> String {
    match o {
        Object::Service(s) => describe_service(c, s),
        Object::Pod(p) => describe_pod(c, p),
        Object::Node(n) => describe_node(c, n),
        Object::Deployment(d) => describe_deployment(c, d),
        Object::DaemonSet(d) => describe_daemon_set(c, d),
        Object::ReplicaSet(rs) => describe_replica_set(c, rs),
        Object::Endpoints(ep) => describe_endpoints(c, ep),
        Object::EndpointSlice(es) => describe_endpoint_slice(c, es),
        Object::Namespace(_) | Object::ConfigMap(_) => describe_generic(c, o),
    }
}

/// `describeEndpoints`: each subset's ready and not-ready addresses and its ports.
fn describe_endpoints(c: &Cluster, ep: &k8s_openapi::api::core::v1::Endpoints) -> String {
    let name = ep.metadata.name.clone().unwrap_or_default();
    let ns = ep.metadata.namespace.clone().unwrap_or_default();
    let mut w = format!("Name:\t{name}\nNamespace:\t{ns}\n");
    w.push_str(&labels_multiline("Labels", ep.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(ep.metadata.annotations.as_ref()));
    w.push_str("Subsets:\n");
    let ips = |a: Option<&Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
        let v: Vec<&str> = a.into_iter().flatten().map(|a| a.ip.as_str()).collect();
        if v.is_empty() {
            "<none>".to_string()
        } else {
            v.join(",")
        }
    };
    for s in ep.subsets.iter().flatten() {
        w.push_str(&format!("  Addresses:\t{}\n", ips(s.addresses.as_ref())));
        w.push_str(&format!(
            "  NotReadyAddresses:\t{}\n",
            ips(s.not_ready_addresses.as_ref())
        ));
        if s.ports.as_ref().is_some_and(|p| !p.is_empty()) {
            w.push_str("  Ports:\n    Name\tPort\tProtocol\n    ----\t----\t--------\n");
            for p in s.ports.iter().flatten() {
                w.push_str(&format!(
                    "    {}\t{}\t{}\n",
                    unset_if_empty(p.name.as_deref()),
                    p.port,
                    p.protocol.as_deref().unwrap_or("")
                ));
            }
        }
        w.push('\n');
    }
    let (inline, table) = events_text(c, &ns, "Endpoints", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

/// `describeEndpointSliceV1`: address type, ports, and each endpoint with its conditions,
/// hostname, target, node and zone.
fn describe_endpoint_slice(
    c: &Cluster,
    es: &k8s_openapi::api::discovery::v1::EndpointSlice,
) -> String {
    let name = es.metadata.name.clone().unwrap_or_default();
    let ns = es.metadata.namespace.clone().unwrap_or_default();
    let mut w = format!("Name:\t{name}\nNamespace:\t{ns}\n");
    w.push_str(&labels_multiline("Labels", es.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(es.metadata.annotations.as_ref()));
    w.push_str(&format!("AddressType:\t{}\n", es.address_type));
    match es.ports.as_ref().filter(|p| !p.is_empty()) {
        None => w.push_str("Ports: <unset>\n"),
        Some(ports) => {
            w.push_str("Ports:\n  Name\tPort\tProtocol\n  ----\t----\t--------\n");
            for p in ports {
                w.push_str(&format!(
                    "  {}\t{}\t{}\n",
                    unset_if_empty(p.name.as_deref()),
                    p.port.map_or("<unset>".to_string(), |n| n.to_string()),
                    p.protocol.as_deref().unwrap_or("")
                ));
            }
        }
    }
    if es.endpoints.is_empty() {
        w.push_str("Endpoints: <none>\n");
    } else {
        w.push_str("Endpoints:\n");
        let unset = |v: Option<&String>| v.cloned().unwrap_or_else(|| "<unset>".into());
        for e in &es.endpoints {
            let addrs = if e.addresses.is_empty() {
                "<none>".to_string()
            } else {
                e.addresses.join(", ")
            };
            w.push_str(&format!("  - Addresses:\t{addrs}\n    Conditions:\n"));
            w.push_str(&format!(
                "      Ready:\t{}\n",
                e.conditions
                    .as_ref()
                    .and_then(|c| c.ready)
                    .map_or("<unset>".to_string(), |r| r.to_string())
            ));
            w.push_str(&format!("    Hostname:\t{}\n", unset(e.hostname.as_ref())));
            if let Some(t) = &e.target_ref {
                w.push_str(&format!(
                    "    TargetRef:\t{}/{}\n",
                    t.kind.as_deref().unwrap_or(""),
                    t.name.as_deref().unwrap_or("")
                ));
            }
            w.push_str(&format!("    NodeName:\t{}\n", unset(e.node_name.as_ref())));
            w.push_str(&format!("    Zone:\t{}\n", unset(e.zone.as_ref())));
        }
    }
    let (inline, table) = events_text(c, &ns, "EndpointSlice", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

/// `describeReplicaSet`: its selector, owner, replica counts, its pods by phase, and template.
fn describe_replica_set(c: &Cluster, rs: &k8s_openapi::api::apps::v1::ReplicaSet) -> String {
    let name = rs.metadata.name.clone().unwrap_or_default();
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let spec = rs.spec.clone().unwrap_or_default();
    let mut w = format!("Name:\t{name}\nNamespace:\t{ns}\n");
    w.push_str(&format!(
        "Selector:\t{}\n",
        crate::sim::controllers::selector_of(&spec.selector)
    ));
    w.push_str(&labels_multiline("Labels", rs.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(rs.metadata.annotations.as_ref()));
    w.push_str(&controlled_by(&rs.metadata));
    w.push_str(&format!(
        "Replicas:\t{} current / {} desired\n",
        rs.status.as_ref().map_or(0, |s| s.replicas),
        spec.replicas.unwrap_or(1)
    ));
    let (running, waiting, succeeded, failed) =
        pods_by_phase(c, &ns, rs.metadata.uid.as_deref().unwrap_or_default());
    w.push_str(&format!(
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
    ));
    w.push_str(&pod_template(spec.template.as_ref()));
    w.push_str(&conditions_table(
        rs.status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_deref())),
    ));
    let (inline, table) = events_text(c, &ns, "ReplicaSet", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

/// The `Conditions:` table of a Deployment or ReplicaSet (type, status, reason), nothing when
/// there are none.
fn conditions_table<'a>(
    conds: impl Iterator<Item = (&'a str, &'a str, Option<&'a str>)>,
) -> String {
    let rows: String = conds
        .map(|(ty, status, reason)| format!("  {ty} \t{status}\t{}\n", reason.unwrap_or("")))
        .collect();
    if rows.is_empty() {
        return rows;
    }
    format!("Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n{rows}")
}

/// A name describe prints as `<unset>` when it is missing or empty.
fn unset_if_empty(v: Option<&str>) -> &str {
    v.filter(|n| !n.is_empty()).unwrap_or("<unset>")
}

/// `printController`: the object's controller as `Kind/name`, when it has one.
fn controlled_by(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    meta.owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| format!("Controlled By:\t{}/{}\n", o.kind, o.name))
        .unwrap_or_default()
}

/// `getPodStatusForController`: the controller's pods (by its UID) counted by phase.
fn pods_by_phase(c: &Cluster, ns: &str, uid: &str) -> (usize, usize, usize, usize) {
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for o in c.owned_by(Kind::Pod, ns, uid) {
        let Object::Pod(p) = o else { continue };
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Pending") => waiting += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => {}
        }
    }
    (running, waiting, succeeded, failed)
}

fn labels_multiline(title: &str, labels: Option<&BTreeMap<String, String>>) -> String {
    let mut s = format!("{title}:\t");
    match labels {
        Some(l) if !l.is_empty() => {
            for (i, (k, v)) in l.iter().enumerate() {
                if i > 0 {
                    s.push('\t');
                }
                s.push_str(&format!("{k}={v}\n"));
            }
        }
        _ => s.push_str("<none>\n"),
    }
    s
}

fn annotations_multiline(annotations: Option<&BTreeMap<String, String>>) -> String {
    let mut s = String::from("Annotations:\t");
    let shown: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != LAST_APPLIED)
        .collect();
    if shown.is_empty() {
        s.push_str("<none>\n");
        return s;
    }
    for (i, (k, v)) in shown.iter().enumerate() {
        if i > 0 {
            s.push('\t');
        }
        if k.len() + v.len() + 2 > 140 || v.contains('\n') {
            s.push_str(&format!("{k}:\n"));
            for line in v.lines() {
                let line = if line.chars().count() > 140 {
                    format!("{}...", line.chars().take(138).collect::<String>())
                } else {
                    line.to_string()
                };
                s.push_str(&format!("\t  {line}\n"));
            }
        } else {
            s.push_str(&format!("{k}: {v}\n"));
        }
    }
    s
}

fn events_text(c: &Cluster, ns: &str, kind: &str, name: &str) -> (String, String) {
    let evs = c.events_for(ns, kind, name);
    if evs.is_empty() {
        return ("Events:\t<none>\n".into(), String::new());
    }
    let mut t = String::from(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for e in evs {
        let first = age(c.now, Some(&e.first.to_time()));
        let interval = if e.count > 1 {
            format!(
                "{} (x{} over {first})",
                age(c.now, Some(&e.last.to_time())),
                e.count
            )
        } else {
            first
        };
        t.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\n",
            e.type_,
            e.reason,
            interval,
            e.source,
            e.message.trim()
        ));
    }
    (String::new(), TabWriter::describe().format(&t))
}

fn describe_service(c: &Cluster, svc: &Service) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let mut w = String::new();
    w.push_str(&format!("Name:\t{name}\nNamespace:\t{ns}\n"));
    w.push_str(&labels_multiline("Labels", svc.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(svc.metadata.annotations.as_ref()));
    w.push_str(&format!(
        "Selector:\t{}\n",
        spec.selector
            .as_ref()
            .filter(|s| !s.is_empty())
            .map(|s| format_labels(Some(s)))
            .unwrap_or_else(|| "<none>".into())
    ));
    w.push_str(&format!(
        "Type:\t{}\n",
        spec.type_.clone().unwrap_or_default()
    ));
    if let Some(p) = &spec.ip_family_policy {
        w.push_str(&format!("IP Family Policy:\t{p}\n"));
    }
    let fams = spec.ip_families.clone().unwrap_or_default();
    w.push_str(&format!(
        "IP Families:\t{}\n",
        if fams.is_empty() {
            "<none>".into()
        } else {
            fams.join(",")
        }
    ));
    w.push_str(&format!(
        "IP:\t{}\n",
        spec.cluster_ip.clone().unwrap_or_default()
    ));
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    w.push_str(&format!(
        "IPs:\t{}\n",
        if ips.is_empty() {
            "<none>".into()
        } else {
            ips.join(",")
        }
    ));
    if let Some(e) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        w.push_str(&format!("External IPs:\t{}\n", e.join(",")));
    }
    if let Some(lb) = spec.load_balancer_ip.as_ref().filter(|s| !s.is_empty()) {
        w.push_str(&format!("Desired LoadBalancer IP:\t{lb}\n"));
    }
    if let Some(en) = spec.external_name.as_ref().filter(|s| !s.is_empty()) {
        w.push_str(&format!("External Name:\t{en}\n"));
    }
    let ingress = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.clone())
        .unwrap_or_default();
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| match (&i.ip, &i.ip_mode, &i.hostname) {
                (Some(ip), Some(mode), _) => format!("{ip} ({mode})"),
                (Some(ip), None, _) => ip.clone(),
                (None, _, Some(h)) => h.clone(),
                _ => String::new(),
            })
            .collect();
        w.push_str(&format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    let slices: Vec<&k8s_openapi::api::discovery::v1::EndpointSlice> = c
        .list(Kind::EndpointSlice, Some(&ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::EndpointSlice(s)
                if s.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                    == Some(&name) =>
            {
                Some(s)
            }
            _ => None,
        })
        .collect();
    for p in spec.ports.iter().flatten() {
        let pname = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        w.push_str(&format!("Port:\t{pname}\t{}/{proto}\n", p.port));
        let tp = match &p.target_port {
            Some(IntOrString::Int(n)) => n.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => p.port.to_string(),
        };
        w.push_str(&format!("TargetPort:\t{tp}/{proto}\n"));
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            w.push_str(&format!("NodePort:\t{pname}\t{np}/{proto}\n"));
        }
        let value = if slices.is_empty() {
            "<none>".to_string()
        } else {
            let want = p.name.clone().unwrap_or_default();
            let mut list = Vec::new();
            for s in &slices {
                let Some(port) = s
                    .ports
                    .iter()
                    .flatten()
                    .find(|sp| sp.name.clone().unwrap_or_default() == want)
                    .and_then(|sp| sp.port)
                else {
                    continue;
                };
                for e in &s.endpoints {
                    if e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true) {
                        for a in &e.addresses {
                            list.push(format!("{a}:{port}"));
                        }
                    }
                }
            }
            let shown: Vec<String> = list.iter().take(3).cloned().collect();
            let mut v = shown.join(",");
            if list.len() > 3 {
                v.push_str(&format!(" + {} more...", list.len() - 3));
            }
            v
        };
        w.push_str(&format!("Endpoints:\t{value}\n"));
    }
    w.push_str(&format!(
        "Session Affinity:\t{}\n",
        spec.session_affinity
            .clone()
            .unwrap_or_else(|| "None".into())
    ));
    if let Some(e) = spec
        .external_traffic_policy
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        w.push_str(&format!("External Traffic Policy:\t{e}\n"));
    }
    if let Some(i) = spec
        .internal_traffic_policy
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        w.push_str(&format!("Internal Traffic Policy:\t{i}\n"));
    }
    if let Some(hc) = spec.health_check_node_port.filter(|n| *n != 0) {
        w.push_str(&format!("HealthCheck NodePort:\t{hc}\n"));
    }
    if let Some(r) = spec
        .load_balancer_source_ranges
        .as_ref()
        .filter(|r| !r.is_empty())
    {
        w.push_str(&format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")));
    }
    if let Some(td) = &spec.traffic_distribution {
        w.push_str(&format!("Traffic Distribution:\t{td}\n"));
    }
    let (inline, table) = events_text(c, &ns, "Service", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

fn probe_text(p: &Probe) -> String {
    let target = if let Some(h) = &p.http_get {
        let port = match &h.port {
            IntOrString::Int(n) => n.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        let scheme = h
            .scheme
            .clone()
            .unwrap_or_else(|| "HTTP".into())
            .to_lowercase();
        format!(
            "http-get {scheme}://{}:{port}{}",
            h.host.clone().unwrap_or_default(),
            h.path.clone().unwrap_or_default()
        )
    } else if let Some(t) = &p.tcp_socket {
        let port = match &t.port {
            IntOrString::Int(n) => n.to_string(),
            IntOrString::String(s) => s.clone(),
        };
        format!("tcp-socket {}:{port}", t.host.clone().unwrap_or_default())
    } else if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(g) = &p.grpc {
        format!(
            "grpc <pod>:{} {}",
            g.port,
            g.service.clone().unwrap_or_default()
        )
    } else {
        "unknown".into()
    };
    format!(
        "{target} delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

fn describe_pod(c: &Cluster, pod: &Pod) -> String {
    let spec = pod.spec.clone().unwrap_or_default();
    let st = pod.status.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let mut w = String::new();
    w.push_str(&format!("Name:\t{name}\nNamespace:\t{ns}\n"));
    w.push_str(&format!("Priority:\t{}\n", spec.priority.unwrap_or(0)));
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.push_str(&format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.push_str(&format!("Service Account:\t{sa}\n"));
    }
    match &spec.node_name {
        Some(n) => w.push_str(&format!(
            "Node:\t{n}/{}\n",
            st.host_ip.clone().unwrap_or_default()
        )),
        None => w.push_str("Node:\t<none>\n"),
    }
    if let Some(t) = &st.start_time {
        w.push_str(&format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    w.push_str(&labels_multiline("Labels", pod.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(pod.metadata.annotations.as_ref()));
    if let Some(dt) = &pod.metadata.deletion_timestamp {
        w.push_str(&format!(
            "Status:\tTerminating (lasts {})\n",
            age(c.now, Some(dt))
        ));
        w.push_str(&format!(
            "Termination Grace Period:\t{}s\n",
            pod.metadata.deletion_grace_period_seconds.unwrap_or(30)
        ));
    } else {
        w.push_str(&format!(
            "Status:\t{}\n",
            st.phase.clone().unwrap_or_default()
        ));
    }
    w.push_str(&format!("IP:\t{}\n", st.pod_ip.clone().unwrap_or_default()));
    let ips = st.pod_ips.clone().unwrap_or_default();
    if ips.is_empty() {
        w.push_str("IPs:\t<none>\n");
    } else {
        w.push_str("IPs:\n");
        for ip in ips {
            w.push_str(&format!("  IP:\t{}\n", ip.ip));
        }
    }
    w.push_str(&controlled_by(&pod.metadata));
    let statuses = st.container_statuses.clone().unwrap_or_default();
    let env = c.runtime(&ns, &name).map(|r| r.env.vars());
    w.push_str(&containers_text(
        "Containers",
        &spec.containers,
        &statuses,
        env.as_deref(),
        "",
    ));
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.push_str("Readiness Gates:\n  Type\tStatus\n");
        let conds = st.conditions.clone().unwrap_or_default();
        for g in gates {
            let s = conds
                .iter()
                .find(|c| c.type_ == g.condition_type)
                .map(|c| c.status.clone())
                .unwrap_or_else(|| "<none>".into());
            w.push_str(&format!("  {} \t{s} \n", g.condition_type));
        }
    }
    let conds = st.conditions.clone().unwrap_or_default();
    if !conds.is_empty() {
        w.push_str("Conditions:\n  Type\tStatus\n");
        for cnd in &conds {
            w.push_str(&format!("  {} \t{} \n", cnd.type_, cnd.status));
        }
    }
    let vols = spec.volumes.clone().unwrap_or_default();
    if vols.is_empty() {
        w.push_str("Volumes:\t<none>\n");
    } else {
        w.push_str("Volumes:\n");
        for v in vols {
            w.push_str(&format!("  {}:\n", v.name));
            if let Some(pj) = &v.projected {
                w.push_str("    Type:\tProjected (a volume that contains injected data from multiple sources)\n");
                for src in pj.sources.iter().flatten() {
                    if let Some(t) = &src.service_account_token {
                        w.push_str(&format!(
                            "    TokenExpirationSeconds:\t{}\n",
                            t.expiration_seconds.unwrap_or(3600)
                        ));
                    }
                    if let Some(cm) = &src.config_map {
                        w.push_str(&format!(
                            "    ConfigMapName:\t{}\n    Optional:\t{}\n",
                            cm.name,
                            cm.optional.unwrap_or(false)
                        ));
                    }
                    if src.downward_api.is_some() {
                        w.push_str("    DownwardAPI:\ttrue\n");
                    }
                }
            } else if let Some(cm) = &v.config_map {
                w.push_str(&format!("    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n", cm.name, cm.optional.unwrap_or(false)));
            } else if v.empty_dir.is_some() {
                w.push_str("    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t\n    SizeLimit:\t<unset>\n");
            }
        }
    }
    w.push_str(&format!(
        "QoS Class:\t{}\n",
        st.qos_class.clone().unwrap_or_else(|| "BestEffort".into())
    ));
    let sel = spec.node_selector.clone().unwrap_or_default();
    w.push_str(&labels_multiline("Node-Selectors", Some(&sel)));
    let tol = spec.tolerations.clone().unwrap_or_default();
    if tol.is_empty() {
        w.push_str("Tolerations:\t<none>\n");
    } else {
        let mut items: Vec<String> = tol
            .iter()
            .map(|t| {
                let mut s = t.key.clone().unwrap_or_default();
                if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
                    s.push_str(&format!("={v}"));
                }
                if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
                    s.push_str(&format!(":{e}"));
                }
                if t.operator.as_deref() == Some("Exists")
                    && t.value.as_ref().is_none_or(|v| v.is_empty())
                {
                    // a bare `operator: Exists` tolerates everything and prints alone
                    s.push_str(if s.is_empty() {
                        "op=Exists"
                    } else {
                        " op=Exists"
                    });
                }
                if let Some(secs) = t.toleration_seconds {
                    s.push_str(&format!(" for {secs}s"));
                }
                s
            })
            .collect();
        crate::sim::order::sort(&mut items);
        w.push_str("Tolerations:\t");
        for (i, t) in items.iter().enumerate() {
            if i > 0 {
                w.push('\t');
            }
            w.push_str(t);
            w.push('\n');
        }
    }
    let (inline, table) = events_text(c, &ns, "Pod", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

fn describe_node(c: &Cluster, node: &Node) -> String {
    let name = node.metadata.name.clone().unwrap_or_default();
    let st = node.status.clone().unwrap_or_default();
    let spec = node.spec.clone().unwrap_or_default();
    let mut w = String::new();
    w.push_str(&format!(
        "Name:\t{name}\nRoles:\t{}\n",
        node_roles(node.metadata.labels.as_ref())
    ));
    w.push_str(&labels_multiline("Labels", node.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(node.metadata.annotations.as_ref()));
    if let Some(t) = &node.metadata.creation_timestamp {
        w.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
    }
    let taints = spec.taints.clone().unwrap_or_default();
    if taints.is_empty() {
        w.push_str("Taints:\t<none>\n");
    } else {
        w.push_str("Taints:\t");
        for (i, t) in taints.iter().enumerate() {
            if i > 0 {
                w.push('\t');
            }
            match t.value.as_ref().filter(|v| !v.is_empty()) {
                Some(v) => w.push_str(&format!("{}={v}:{}\n", t.key, t.effect)),
                None => w.push_str(&format!("{}:{}\n", t.key, t.effect)),
            }
        }
    }
    w.push_str(&format!(
        "Unschedulable:\t{}\n",
        spec.unschedulable.unwrap_or(false)
    ));
    let now = c.now.to_time();
    w.push_str(&format!(
        "Lease:\n  HolderIdentity:\t{name}\n  AcquireTime:\t<unset>\n  RenewTime:\t{}\n",
        rfc1123z(&now)
    ));
    w.push_str("Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n  ----\t------\t-----------------\t------------------\t------\t-------\n");
    for cnd in st.conditions.iter().flatten() {
        w.push_str(&format!(
            "  {} \t{} \t{} \t{} \t{} \t{}\n",
            cnd.type_,
            cnd.status,
            rfc1123z(&now),
            cnd.last_transition_time
                .as_ref()
                .map(rfc1123z)
                .unwrap_or_default(),
            cnd.reason.clone().unwrap_or_default(),
            cnd.message.clone().unwrap_or_default()
        ));
    }
    w.push_str("Addresses:\n");
    for a in st.addresses.iter().flatten() {
        w.push_str(&format!("  {}:\t{}\n", a.type_, a.address));
    }
    for (title, res) in [("Capacity", &st.capacity), ("Allocatable", &st.allocatable)] {
        w.push_str(&format!("{title}:\n"));
        for (k, v) in res.iter().flatten() {
            w.push_str(&format!("  {k}:\t{}\n", v.0));
        }
    }
    let info = st.node_info.clone().unwrap_or_default();
    w.push_str("System Info:\n");
    for (k, v) in [
        ("Machine ID", info.machine_id.clone()),
        ("System UUID", info.system_uuid.clone()),
        ("Boot ID", info.boot_id.clone()),
        ("Kernel Version", info.kernel_version.clone()),
        ("OS Image", info.os_image.clone()),
        ("Operating System", info.operating_system.clone()),
        ("Architecture", info.architecture.clone()),
        (
            "Container Runtime Version",
            info.container_runtime_version.clone(),
        ),
        ("Kubelet Version", info.kubelet_version.clone()),
        ("Kube-Proxy Version", info.kube_proxy_version.clone()),
    ] {
        w.push_str(&format!("  {k}:\t{v}\n"));
    }
    if let Some(pc) = &spec.pod_cidr {
        w.push_str(&format!(
            "PodCIDR:\t{pc}\nPodCIDRs:\t{}\n",
            spec.pod_cidrs.clone().unwrap_or_default().join(",")
        ));
    }
    let pods: Vec<&Pod> = c
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::Pod(p)
                if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str())
                    && !crate::sim::kubelet::pod_is_terminal(p) =>
            {
                Some(&**p)
            }
            _ => None,
        })
        .collect();
    w.push_str(&format!(
        "Non-terminated Pods:\t({} in total)\n",
        pods.len()
    ));
    w.push_str("  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut cpu_req = 0u64;
    let mut mem_req = 0u64;
    let mut mem_lim = 0u64;
    for p in &pods {
        let (cr, cl, mr, ml) = pod_resources(p);
        cpu_req += cr;
        mem_req += mr;
        mem_lim += ml;
        w.push_str(&format!(
            "  {}\t{}\t\t{}\t{}\t{}\t{}\t{}\n",
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
            pct_cpu(cr),
            pct_cpu(cl),
            pct_mem(mr),
            pct_mem(ml),
            age(c.now, p.metadata.creation_timestamp.as_ref())
        ));
    }
    w.push_str("Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n  Resource\tRequests\tLimits\n  --------\t--------\t------\n");
    w.push_str(&format!("  cpu\t{}\t{}\n", pct_cpu(cpu_req), pct_cpu(0)));
    w.push_str(&format!(
        "  memory\t{}\t{}\n",
        pct_mem(mem_req),
        pct_mem(mem_lim)
    ));
    w.push_str("  ephemeral-storage\t0 (0%)\t0 (0%)\n  hugepages-1Gi\t0 (0%)\t0 (0%)\n  hugepages-2Mi\t0 (0%)\t0 (0%)\n");
    let (inline, table) = events_text(c, "", "Node", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

/// (cpu requests m, cpu limits m, memory requests bytes, memory limits bytes)
fn pod_resources(p: &Pod) -> (u64, u64, u64, u64) {
    let mut r = (0, 0, 0, 0);
    for c in p.spec.clone().unwrap_or_default().containers {
        let res = c.resources.unwrap_or_default();
        let req = res.requests.unwrap_or_default();
        let lim = res.limits.unwrap_or_default();
        r.0 += req.get("cpu").map(|q| cpu_millis(&q.0)).unwrap_or(0);
        r.1 += lim.get("cpu").map(|q| cpu_millis(&q.0)).unwrap_or(0);
        r.2 += req.get("memory").map(|q| mem_bytes(&q.0)).unwrap_or(0);
        r.3 += lim.get("memory").map(|q| mem_bytes(&q.0)).unwrap_or(0);
    }
    r
}

fn cpu_millis(s: &str) -> u64 {
    if let Some(m) = s.strip_suffix('m') {
        m.parse().unwrap_or(0)
    } else {
        (s.parse::<f64>().unwrap_or(0.0) * 1000.0) as u64
    }
}

fn mem_bytes(s: &str) -> u64 {
    for (suf, mult) in [
        ("Ki", 1u64 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("k", 1000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
    ] {
        if let Some(n) = s.strip_suffix(suf) {
            return n.parse::<u64>().unwrap_or(0) * mult;
        }
    }
    s.parse().unwrap_or(0)
}

fn pct_cpu(m: u64) -> String {
    let pct = m * 100 / 2000;
    if m == 0 {
        "0 (0%)".into()
    } else if m.is_multiple_of(1000) {
        format!("{} ({pct}%)", m / 1000)
    } else {
        format!("{m}m ({pct}%)")
    }
}

fn pct_mem(b: u64) -> String {
    let pct = b * 100 / (8_039_448 * 1024);
    if b == 0 {
        "0 (0%)".into()
    } else if b.is_multiple_of(1 << 20) {
        format!("{}Mi ({pct}%)", b >> 20)
    } else {
        format!("{b} ({pct}%)")
    }
}

/// `describeNamespace` (no quotas or limit ranges in the lab) and `describeConfigMap`.
fn describe_generic(c: &Cluster, o: &Object) -> String {
    let mut w = String::new();
    w.push_str(&format!("Name:\t{}\n", o.name()));
    if o.kind().namespaced() {
        w.push_str(&format!("Namespace:\t{}\n", o.namespace()));
    }
    w.push_str(&labels_multiline("Labels", o.meta().labels.as_ref()));
    w.push_str(&annotations_multiline(o.meta().annotations.as_ref()));
    match o {
        Object::Namespace(n) => {
            w.push_str(&format!(
                "Status:\t{}\n\nNo resource quota.\n\nNo LimitRange resource.\n",
                n.status
                    .as_ref()
                    .and_then(|s| s.phase.as_deref())
                    .unwrap_or("")
            ));
            return TabWriter::describe().format(&w);
        }
        Object::ConfigMap(cm) => {
            // Go ranges over the maps in random order; the lab takes key order
            w.push_str("\nData\n====\n");
            for (k, v) in cm.data.iter().flatten() {
                w.push_str(&format!("{k}:\n----\n{v}\n\n"));
            }
            w.push_str("\nBinaryData\n====\n");
            for (k, v) in cm.binary_data.iter().flatten() {
                w.push_str(&format!("{k}: {} bytes\n", v.0.len()));
            }
            w.push('\n');
        }
        _ => {}
    }
    let (inline, table) = events_text(c, o.namespace(), o.kind().name(), o.name());
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(n)) => n.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => String::new(),
    }
}

/// `DescribePodTemplate` with `describeContainers(…, "  ")`.
pub(super) fn pod_template(t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> String {
    let mut w = String::from("Pod Template:\n");
    let Some(t) = t else {
        w.push_str("  <unset>");
        return w;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    w.push_str(&labels_multiline("  Labels", meta.labels.as_ref()));
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        w.push_str(&annotations_multiline(meta.annotations.as_ref()).replacen(
            "Annotations:",
            "  Annotations:",
            1,
        ));
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.push_str(&format!("  Service Account:\t{sa}\n"));
    }
    w.push_str(&containers_text(
        "Containers",
        &spec.containers,
        &[],
        None,
        "  ",
    ));
    if spec.volumes.as_ref().is_none_or(|v| v.is_empty()) {
        w.push_str("  Volumes:\t<none>\n");
    } else {
        w.push_str("  Volumes:\n");
        for v in spec.volumes.iter().flatten() {
            w.push_str(&format!("   {}:\n", v.name));
        }
    }
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.push_str(&format!("  Priority Class Name:\t{pc}\n"));
    }
    w.push_str(&labels_multiline(
        "  Node-Selectors",
        spec.node_selector.as_ref(),
    ));
    let tol = spec.tolerations.clone().unwrap_or_default();
    if tol.is_empty() {
        w.push_str("  Tolerations:\t<none>\n");
    } else {
        w.push_str("  Tolerations:\t");
        for (i, t) in tol.iter().enumerate() {
            if i > 0 {
                w.push('\t');
            }
            let mut s = t.key.clone().unwrap_or_default();
            if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
                s.push_str(&format!(":{e}"));
            }
            if t.operator.as_deref() == Some("Exists") {
                s.push_str(if s.is_empty() {
                    "op=Exists"
                } else {
                    " op=Exists"
                });
            }
            w.push_str(&s);
            w.push('\n');
        }
    }
    w
}

/// `describeDeployment`.
fn describe_deployment(c: &Cluster, d: &k8s_openapi::api::apps::v1::Deployment) -> String {
    let name = d.metadata.name.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let mut w = String::new();
    w.push_str(&format!("Name:\t{name}\nNamespace:\t{ns}\n"));
    if let Some(t) = &d.metadata.creation_timestamp {
        w.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123z(t)));
    }
    w.push_str(&labels_multiline("Labels", d.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(d.metadata.annotations.as_ref()));
    w.push_str(&format!(
        "Selector:\t{}\n",
        crate::sim::controllers::selector_of(&spec.selector)
    ));
    w.push_str(&format!(
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
        spec.replicas.unwrap_or(1),
        st.updated_replicas.unwrap_or(0),
        st.replicas.unwrap_or(0),
        st.available_replicas.unwrap_or(0),
        st.unavailable_replicas.unwrap_or(0)
    ));
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.push_str(&format!(
        "StrategyType:\t{}\n",
        strategy.type_.clone().unwrap_or_default()
    ));
    w.push_str(&format!(
        "MinReadySeconds:\t{}\n",
        spec.min_ready_seconds.unwrap_or(0)
    ));
    if let Some(ru) = &strategy.rolling_update {
        w.push_str(&format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            int_or_string(ru.max_unavailable.as_ref()),
            int_or_string(ru.max_surge.as_ref())
        ));
    }
    w.push_str(&pod_template(Some(&spec.template)));
    w.push_str(&conditions_table(st.conditions.iter().flatten().map(|c| {
        (c.type_.as_str(), c.status.as_str(), c.reason.as_deref())
    })));
    // GetAllReplicaSets: the one with the current template is new, the others with pods are old
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut old = Vec::new();
    let mut new = Vec::new();
    for o in c.owned_by(Kind::ReplicaSet, &ns, &uid) {
        let Object::ReplicaSet(rs) = o else { continue };
        let text = format!(
            "{} ({}/{} replicas created)",
            o.name(),
            rs.status.as_ref().map_or(0, |s| s.replicas),
            rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
        );
        if crate::sim::controllers::same_template(rs, &spec.template) {
            new.push(text);
        } else if rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) > 0
            || rs.status.as_ref().is_some_and(|s| s.replicas > 0)
        {
            old.push(text);
        }
    }
    let list = |v: &Vec<String>| {
        if v.is_empty() {
            "<none>".to_string()
        } else {
            v.join(", ")
        }
    };
    w.push_str(&format!(
        "OldReplicaSets:\t{}\nNewReplicaSet:\t{}\n",
        list(&old),
        list(&new)
    ));
    let (inline, table) = events_text(c, &ns, "Deployment", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}

/// `describeContainers`: each container's image, ports, command, state (with a status), probes,
/// environment and mounts. `space` indents the block inside a pod template.
fn containers_text(
    label: &str,
    containers: &[k8s_openapi::api::core::v1::Container],
    statuses: &[k8s_openapi::api::core::v1::ContainerStatus],
    env: Option<&[(String, String)]>,
    space: &str,
) -> String {
    let none = if containers.is_empty() { " <none>" } else { "" };
    let mut w = format!("{space}{label}:{none}\n");
    let name_indent = if space.is_empty() { "" } else { " " };
    for ctr in containers {
        let cs = statuses.iter().find(|s| s.name == ctr.name);
        w.push_str(&format!("  {name_indent}{}:\n", ctr.name));
        if let Some(cs) = cs {
            w.push_str(&format!(
                "    Container ID:\t{}\n",
                cs.container_id.clone().unwrap_or_default()
            ));
        }
        w.push_str(&format!(
            "    Image:\t{}\n",
            ctr.image.clone().unwrap_or_default()
        ));
        if let Some(cs) = cs {
            w.push_str(&format!("    Image ID:\t{}\n", cs.image_id));
        }
        let ports = ctr.ports.clone().unwrap_or_default();
        let fmt_port = |p: &k8s_openapi::api::core::v1::ContainerPort| {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            match p.name.as_ref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{}/{proto} ({n})", p.container_port),
                None => format!("{}/{proto}", p.container_port),
            }
        };
        let host: Vec<String> = ports
            .iter()
            .map(|p| {
                format!(
                    "{}/{}",
                    p.host_port.unwrap_or(0),
                    p.protocol.clone().unwrap_or_else(|| "TCP".into())
                )
            })
            .collect();
        match ports.len() {
            0 => w.push_str("    Port:\t<none>\n    Host Port:\t<none>\n"),
            1 => w.push_str(&format!(
                "    Port:\t{}\n    Host Port:\t{}\n",
                fmt_port(&ports[0]),
                host[0]
            )),
            _ => {
                let list: Vec<String> = ports.iter().map(fmt_port).collect();
                w.push_str(&format!(
                    "    Ports:\t{}\n    Host Ports:\t{}\n",
                    list.join(", "),
                    host.join(", ")
                ));
            }
        }
        for (title, items) in [("Command", &ctr.command), ("Args", &ctr.args)] {
            if let Some(items) = items.as_ref().filter(|c| !c.is_empty()) {
                w.push_str(&format!("    {title}:\n"));
                for x in items {
                    w.push_str(&format!("      {x}\n"));
                }
            }
        }
        if let Some(cs) = cs {
            match cs.state.clone() {
                Some(state) if state.running.is_some() => {
                    w.push_str("    State:\tRunning\n");
                    if let Some(t) = state.running.and_then(|r| r.started_at) {
                        w.push_str(&format!("      Started:\t{}\n", rfc1123z(&t)));
                    }
                }
                Some(state) if state.terminated.is_some() => {
                    let t = state.terminated.unwrap_or_default();
                    w.push_str("    State:\tTerminated\n");
                    w.push_str(&format!(
                        "      Reason:\t{}\n      Exit Code:\t{}\n",
                        t.reason.unwrap_or_default(),
                        t.exit_code
                    ));
                }
                state => {
                    let reason = state
                        .and_then(|s| s.waiting)
                        .and_then(|x| x.reason)
                        .unwrap_or_else(|| "ContainerCreating".into());
                    w.push_str(&format!("    State:\tWaiting\n      Reason:\t{reason}\n"));
                }
            }
            w.push_str(&format!(
                "    Ready:\t{}\n",
                if cs.ready { "True" } else { "False" }
            ));
            w.push_str(&format!("    Restart Count:\t{}\n", cs.restart_count));
        }
        for (title, probe) in [
            ("Liveness", &ctr.liveness_probe),
            ("Readiness", &ctr.readiness_probe),
            ("Startup", &ctr.startup_probe),
        ] {
            if let Some(p) = probe {
                w.push_str(&format!("    {title}:\t{}\n", probe_text(p)));
            }
        }
        let declared = ctr.env.clone().unwrap_or_default();
        if declared.is_empty() {
            w.push_str("    Environment:\t<none>\n");
        } else {
            w.push_str("    Environment:\n");
            for e in &declared {
                let v = match (&e.value, env) {
                    (Some(_), Some(env)) => env
                        .iter()
                        .find(|(k, _)| *k == e.name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default(),
                    (Some(v), None) => v.clone(),
                    // a fieldRef shows the value the pod resolved, then where it came from
                    (None, _) => match e.value_from.as_ref().and_then(|f| f.field_ref.as_ref()) {
                        Some(fr) => {
                            let resolved = env
                                .and_then(|env| env.iter().find(|(k, _)| *k == e.name))
                                .map(|(_, v)| v.clone())
                                .unwrap_or_default();
                            format!(
                                "{resolved} ({}:{})",
                                fr.api_version.clone().unwrap_or_else(|| "v1".into()),
                                fr.field_path
                            )
                        }
                        None => String::new(),
                    },
                };
                w.push_str(&format!("      {}:\t{v}\n", e.name));
            }
        }
        let mut mounts = ctr.volume_mounts.clone().unwrap_or_default();
        if mounts.is_empty() {
            w.push_str("    Mounts:\t<none>\n");
        } else {
            w.push_str("    Mounts:\n");
            crate::sim::order::sort_by(&mut mounts, |a, b| a.mount_path.cmp(&b.mount_path));
            for m in mounts {
                let mode = if m.read_only.unwrap_or(false) {
                    "ro"
                } else {
                    "rw"
                };
                w.push_str(&format!(
                    "      {} from {} ({mode})\n",
                    m.mount_path, m.name
                ));
            }
        }
    }
    w
}

/// `describeDaemonSet`.
fn describe_daemon_set(c: &Cluster, d: &k8s_openapi::api::apps::v1::DaemonSet) -> String {
    let name = d.metadata.name.clone().unwrap_or_default();
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let mut w = String::new();
    w.push_str(&format!("Name:\t{name}\nNamespace:\t{ns}\n"));
    w.push_str(&format!(
        "Selector:\t{}\n",
        crate::sim::controllers::selector_of(&spec.selector)
    ));
    w.push_str(&format!(
        "Node-Selector:\t{}\n",
        format_labels(
            spec.template
                .spec
                .as_ref()
                .and_then(|s| s.node_selector.as_ref())
        )
    ));
    w.push_str(&labels_multiline("Labels", d.metadata.labels.as_ref()));
    w.push_str(&annotations_multiline(d.metadata.annotations.as_ref()));
    w.push_str(&format!(
        "Desired Number of Nodes Scheduled: {}\n",
        st.desired_number_scheduled
    ));
    w.push_str(&format!(
        "Current Number of Nodes Scheduled: {}\n",
        st.current_number_scheduled
    ));
    w.push_str(&format!(
        "Number of Nodes Scheduled with Up-to-date Pods: {}\n",
        st.updated_number_scheduled.unwrap_or(0)
    ));
    w.push_str(&format!(
        "Number of Nodes Scheduled with Available Pods: {}\n",
        st.number_available.unwrap_or(0)
    ));
    w.push_str(&format!(
        "Number of Nodes Misscheduled: {}\n",
        st.number_misscheduled
    ));
    let (running, waiting, succeeded, failed) =
        pods_by_phase(c, &ns, d.metadata.uid.as_deref().unwrap_or_default());
    w.push_str(&format!(
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
    ));
    w.push_str(&pod_template(Some(&spec.template)));
    let (inline, table) = events_text(c, &ns, "DaemonSet", &name);
    w.push_str(&inline);
    TabWriter::describe().format(&w) + &table
}
