//! Validation with the apiserver's exact messages (`pkg/apis/core/validation`, `pkg/apis/apps/validation`),
//! checked in upstream's order.

use crate::sim::field::*;
use crate::sim::labels::Selector;
use crate::sim::net::{is_ip, parse_ip};
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSetSpec};
use k8s_openapi::api::core::v1::{
    Container, PodSpec, PodTemplateSpec, Service, ServicePort, ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{json, Value};
use std::borrow::Cow;

/// `ValidateObjectMeta` with the kind's name rule.
pub fn object_meta(kind: Kind, meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = meta.name.as_deref().unwrap_or("");
    if name.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else {
        let msgs = match kind {
            Kind::Service => is_dns1035_label(name),
            Kind::Namespace => is_dns1123_label(name),
            _ => is_dns1123_subdomain(name),
        };
        for m in msgs {
            errs.push(FieldError::invalid("metadata.name", name, &m));
        }
    }
    if kind.namespaced() && meta.namespace.as_deref().unwrap_or("").is_empty() {
        errs.push(FieldError::required("metadata.namespace", ""));
    }
    errs.extend(validate_labels(meta.labels.as_ref(), "metadata.labels"));
    if let Some(ann) = &meta.annotations {
        for k in ann.keys() {
            for m in is_qualified_name(&k.to_ascii_lowercase()) {
                errs.push(FieldError::invalid("metadata.annotations", k.as_str(), &m));
            }
        }
    }
    errs
}

pub fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

fn port_num(p: i32) -> Option<&'static str> {
    if (1..=65535).contains(&p) {
        None
    } else {
        Some(port_range_error())
    }
}

/// `ExternallyAccessible`.
pub fn externally_accessible(svc: &Service) -> bool {
    let Some(spec) = &svc.spec else { return false };
    let ty = spec.type_.as_deref().unwrap_or("");
    ty == "LoadBalancer"
        || ty == "NodePort"
        || (ty == "ClusterIP" && spec.external_ips.as_ref().is_some_and(|e| !e.is_empty()))
}

pub fn needs_health_check(svc: &Service) -> bool {
    let Some(spec) = &svc.spec else { return false };
    spec.type_.as_deref() == Some("LoadBalancer")
        && spec.external_traffic_policy.as_deref() == Some("Local")
}

/// The internal `core.ServicePort{Protocol, Port}` key, as its JSON renders in a Duplicate error.
fn port_key_json(protocol: &str, port: i32) -> serde_json::Value {
    json!({"Name": "", "Protocol": protocol, "AppProtocol": null, "Port": port,
           "TargetPort": {"Type": 0, "IntVal": 0, "StrVal": ""}, "NodePort": 0})
}

fn service_port(
    sp: &ServicePort,
    require_name: bool,
    names: &mut Vec<String>,
    path: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = sp.name.as_deref().unwrap_or("");
    if require_name && name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else if !name.is_empty() {
        for m in is_dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{path}.name"), name, &m));
        }
        if names.iter().any(|n| n == name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), name));
        } else {
            names.push(name.to_string());
        }
    }
    if let Some(m) = port_num(sp.port) {
        errs.push(FieldError::invalid(format!("{path}.port"), sp.port, m));
    }
    let proto = sp.protocol.as_deref().unwrap_or("");
    if proto.is_empty() {
        errs.push(FieldError::required(format!("{path}.protocol"), ""));
    } else if !matches!(proto, "TCP" | "UDP" | "SCTP") {
        errs.push(FieldError::not_supported(
            format!("{path}.protocol"),
            proto,
            &["SCTP", "TCP", "UDP"],
        ));
    }
    errs.extend(port_num_or_name(
        sp.target_port.as_ref(),
        &format!("{path}.targetPort"),
    ));
    if let Some(ap) = &sp.app_protocol {
        for m in is_qualified_name(ap) {
            errs.push(FieldError::invalid(
                format!("{path}.appProtocol"),
                ap.as_str(),
                &m,
            ));
        }
    }
    errs
}

fn port_num_or_name(p: Option<&IntOrString>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match p {
        Some(IntOrString::Int(n)) => {
            if let Some(m) = port_num(*n) {
                errs.push(FieldError::invalid(path, *n, m));
            }
        }
        Some(IntOrString::String(s)) => {
            for m in is_valid_port_name(s) {
                errs.push(FieldError::invalid(path, s.as_str(), &m));
            }
        }
        None => {
            if let Some(m) = port_num(0) {
                errs.push(FieldError::invalid(path, 0, m));
            }
        }
    }
    errs
}

fn valid_ip_errors(ip: &str, path: &str) -> Vec<FieldError> {
    if is_ip(ip) {
        Vec::new()
    } else {
        vec![FieldError::invalid(
            path,
            ip,
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        )]
    }
}

fn non_special_ip(ip: &str, path: &str) -> Vec<FieldError> {
    let Some(v) = parse_ip(ip) else {
        return Vec::new();
    };
    let msg = if v == 0 {
        "may not be unspecified (0.0.0.0)"
    } else if v >> 24 == 127 {
        "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    } else if v >> 16 == (169 << 8 | 254) {
        "may not be in the link-local range (169.254.0.0/16, fe80::/10)"
    } else if v >> 8 == (224 << 16) {
        "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
    } else {
        return Vec::new();
    };
    vec![FieldError::invalid(path, ip, msg)]
}

/// A Service's spec, read in place (an absent spec reads as the empty one).
fn spec_of(svc: &Service) -> Cow<'_, ServiceSpec> {
    svc.spec.as_ref().map_or_else(Cow::default, Cow::Borrowed)
}

/// `ValidateServiceClusterIPsRelatedFields` (also the allocator's loose pre-validation).
pub(crate) fn cluster_ips_related(svc: &Service) -> Vec<FieldError> {
    let spec = spec_of(svc);
    let mut errs = Vec::new();
    if spec.type_.as_deref() == Some("ExternalName") {
        return errs;
    }
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    let cip = spec.cluster_ip.clone().unwrap_or_default();
    if !cip.is_empty() {
        if ips.is_empty() {
            errs.push(FieldError::required("spec.clusterIPs", ""));
        } else if ips[0] != cip {
            errs.push(FieldError::invalid(
                "spec.clusterIPs",
                json!(ips),
                "first value must match `clusterIP`",
            ));
        }
    } else if !ips.is_empty() {
        errs.push(FieldError::invalid(
            "spec.clusterIPs",
            json!(ips),
            "must be empty when `clusterIP` is not specified",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, fam) in spec.ip_families.iter().flatten().enumerate() {
        if fam != "IPv4" && fam != "IPv6" {
            errs.push(FieldError::not_supported(
                format!("spec.ipFamilies[{i}]"),
                fam.as_str(),
                &["IPv4", "IPv6"],
            ));
        }
        if seen.contains(&fam.as_str()) {
            errs.push(FieldError::duplicate(
                format!("spec.ipFamilies[{i}]"),
                fam.as_str(),
            ));
        }
        seen.push(fam);
    }
    if let Some(p) = &spec.ip_family_policy {
        if !matches!(
            p.as_str(),
            "SingleStack" | "PreferDualStack" | "RequireDualStack"
        ) {
            errs.push(FieldError::not_supported(
                "spec.ipFamilyPolicy",
                p.as_str(),
                &["PreferDualStack", "RequireDualStack", "SingleStack"],
            ));
        }
    }
    let mut bad = false;
    for (i, ip) in ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if ips.len() > 1 {
                bad = true;
                errs.push(FieldError::invalid(
                    "spec.clusterIPs",
                    json!(ips),
                    "'None' must be the first and only value",
                ));
            }
            continue;
        }
        let e = valid_ip_errors(ip, &format!("spec.clusterIPs[{i}]"));
        bad |= !e.is_empty();
        errs.extend(e);
    }
    if ips.len() > 2 {
        errs.push(FieldError::invalid(
            "spec.clusterIPs",
            json!(ips),
            "may only hold up to 2 values",
        ));
    }
    if bad {
        return errs;
    }
    // one IP of each family at most (`IsDualStackIPStrings`)
    if ips.len() > 1 && ips[0].contains(':') == ips[1].contains(':') {
        errs.push(FieldError::invalid(
            "spec.clusterIPs",
            json!(ips),
            "may specify no more than one IP for each IP family",
        ));
    }
    errs
}

/// `ValidateService`.
pub fn service(svc: &Service) -> Vec<FieldError> {
    let mut errs = object_meta(Kind::Service, &svc.metadata);
    let spec = spec_of(svc);
    let ty = spec.type_.clone().unwrap_or_default();
    let ports = spec.ports.clone().unwrap_or_default();
    let headless = is_headless(svc);
    if ports.is_empty() && !headless && ty != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    match ty.as_str() {
        "LoadBalancer" if headless => errs.push(FieldError::invalid(
            "spec.clusterIPs[0]",
            "None",
            "may not be set to 'None' for LoadBalancer services",
        )),
        "NodePort" if headless => errs.push(FieldError::invalid(
            "spec.clusterIPs[0]",
            "None",
            "may not be set to 'None' for NodePort services",
        )),
        "ExternalName" => {
            if spec.cluster_ips.as_ref().is_some_and(|c| !c.is_empty()) {
                errs.push(FieldError::forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ));
            }
            if spec.ip_families.as_ref().is_some_and(|c| !c.is_empty()) {
                errs.push(FieldError::forbidden(
                    "spec.ipFamilies",
                    "may not be set for ExternalName services",
                ));
            }
            if spec.ip_family_policy.is_some() {
                errs.push(FieldError::forbidden(
                    "spec.ipFamilyPolicy",
                    "may not be set for ExternalName services",
                ));
            }
            let en = spec.external_name.clone().unwrap_or_default();
            let cname = en.strip_suffix('.').unwrap_or(&en);
            if cname.is_empty() {
                errs.push(FieldError::required("spec.externalName", ""));
            } else {
                for m in is_dns1123_subdomain(cname) {
                    errs.push(FieldError::invalid("spec.externalName", cname, &m));
                }
            }
        }
        _ => {}
    }
    let mut names = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        errs.extend(service_port(
            p,
            ports.len() > 1,
            &mut names,
            &format!("spec.ports[{i}]"),
        ));
    }
    if spec.selector.is_some() {
        errs.extend(validate_labels(spec.selector.as_ref(), "spec.selector"));
    }
    let affinity = spec.session_affinity.clone().unwrap_or_default();
    if affinity.is_empty() {
        errs.push(FieldError::required("spec.sessionAffinity", ""));
    } else if affinity != "ClientIP" && affinity != "None" {
        errs.push(FieldError::not_supported(
            "spec.sessionAffinity",
            affinity.as_str(),
            &["ClientIP", "None"],
        ));
    }
    if affinity == "ClientIP" {
        let timeout = spec
            .session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds);
        match timeout {
            None => errs.push(FieldError::required(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                "when session affinity type is ClientIP",
            )),
            Some(t) if t <= 0 || t > 86400 => errs.push(FieldError::invalid(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                t,
                "must be greater than 0 and less than 86400",
            )),
            _ => {}
        }
    } else if affinity == "None" && spec.session_affinity_config.is_some() {
        errs.push(FieldError::forbidden(
            "spec.sessionAffinityConfig",
            "must not be set when session affinity is None",
        ));
    }
    errs.extend(cluster_ips_related(svc));
    for (i, ip) in spec.external_ips.iter().flatten().enumerate() {
        let path = format!("spec.externalIPs[{i}]");
        let e = valid_ip_errors(ip, &path);
        if e.is_empty() {
            errs.extend(non_special_ip(ip, &path));
        } else {
            errs.extend(e);
        }
    }
    if ty.is_empty() {
        errs.push(FieldError::required("spec.type", ""));
    } else if !matches!(
        ty.as_str(),
        "ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort"
    ) {
        errs.push(FieldError::not_supported(
            "spec.type",
            ty.as_str(),
            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        ));
    }
    if ty == "ClusterIP" {
        for (i, p) in ports.iter().enumerate() {
            if p.node_port.unwrap_or(0) != 0 {
                errs.push(FieldError::forbidden(
                    format!("spec.ports[{i}].nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut node_ports: Vec<(String, i32)> = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let np = p.node_port.unwrap_or(0);
        if np == 0 {
            continue;
        }
        let key = (p.protocol.clone().unwrap_or_default(), np);
        if node_ports.contains(&key) {
            errs.push(FieldError::duplicate(
                format!("spec.ports[{i}].nodePort"),
                np,
            ));
        }
        node_ports.push(key);
    }
    let mut seen_ports: Vec<(String, i32)> = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        let key = (p.protocol.clone().unwrap_or_default(), p.port);
        if seen_ports.contains(&key) {
            errs.push(FieldError::duplicate(
                format!("spec.ports[{i}]"),
                port_key_json(&key.0, key.1),
            ));
        }
        seen_ports.push(key);
    }
    if let Some(ranges) = spec
        .load_balancer_source_ranges
        .as_ref()
        .filter(|r| !r.is_empty())
    {
        if ty != "LoadBalancer" {
            errs.push(FieldError::forbidden(
                "spec.LoadBalancerSourceRanges",
                "may only be used when `type` is 'LoadBalancer'",
            ));
        }
        for (i, r) in ranges.iter().enumerate() {
            if crate::sim::net::Cidr::parse(r.trim()).is_none() {
                errs.push(FieldError::invalid(
                    format!("spec.LoadBalancerSourceRanges[{i}]"),
                    r.trim(),
                    "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                ));
            }
        }
    }
    if spec.allocate_load_balancer_node_ports.is_some() && ty != "LoadBalancer" {
        errs.push(FieldError::forbidden(
            "spec.allocateLoadBalancerNodePorts",
            "may only be used when `type` is 'LoadBalancer'",
        ));
    }
    if let Some(class) = &spec.load_balancer_class {
        if ty != "LoadBalancer" {
            errs.push(FieldError::forbidden(
                "spec.loadBalancerClass",
                "may only be used when `type` is 'LoadBalancer'",
            ));
        } else {
            for m in is_qualified_name(class) {
                errs.push(FieldError::invalid(
                    "spec.loadBalancerClass",
                    class.as_str(),
                    &m,
                ));
            }
        }
    }
    // external traffic policy
    let etp = spec.external_traffic_policy.clone().unwrap_or_default();
    if !externally_accessible(svc) {
        if !etp.is_empty() {
            errs.push(FieldError::invalid(
                "spec.externalTrafficPolicy",
                etp.as_str(),
                "may only be set for externally-accessible services",
            ));
        }
    } else if etp.is_empty() {
        errs.push(FieldError::required("spec.externalTrafficPolicy", ""));
    } else if etp != "Cluster" && etp != "Local" {
        errs.push(FieldError::not_supported(
            "spec.externalTrafficPolicy",
            etp.as_str(),
            &["Cluster", "Local"],
        ));
    }
    let hc = spec.health_check_node_port.unwrap_or(0);
    if !needs_health_check(svc) {
        if hc != 0 {
            errs.push(FieldError::invalid(
                "spec.healthCheckNodePort",
                hc,
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ));
        }
    } else if hc == 0 {
        errs.push(FieldError::required("spec.healthCheckNodePort", ""));
    } else if let Some(m) = port_num(hc) {
        errs.push(FieldError::invalid("spec.healthCheckNodePort", hc, m));
    }
    match spec.internal_traffic_policy.as_deref() {
        None if matches!(ty.as_str(), "NodePort" | "LoadBalancer" | "ClusterIP") => {
            errs.push(FieldError::required("spec.internalTrafficPolicy", ""))
        }
        Some(p) if p != "Cluster" && p != "Local" => errs.push(FieldError::not_supported(
            "spec.internalTrafficPolicy",
            p,
            &["Cluster", "Local"],
        )),
        _ => {}
    }
    if let Some(td) = &spec.traffic_distribution {
        if !matches!(
            td.as_str(),
            "PreferClose" | "PreferSameNode" | "PreferSameZone"
        ) {
            errs.push(FieldError::not_supported(
                "spec.trafficDistribution",
                td.as_str(),
                &["PreferClose", "PreferSameNode", "PreferSameZone"],
            ));
        }
    }
    errs
}

/// `ValidateServiceUpdate`: immutable cluster IPs, then everything `service` checks.
pub fn service_update(new: &Service, old: &Service) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let nspec = new.spec.clone().unwrap_or_default();
    let ospec = old.spec.clone().unwrap_or_default();
    let external = |t: &Option<String>| t.as_deref() == Some("ExternalName");
    let skip =
        external(&nspec.type_) || external(&ospec.type_) || (is_headless(new) && is_headless(old));
    if !skip {
        let n = nspec.cluster_ips.clone().unwrap_or_default();
        let o = ospec.cluster_ips.clone().unwrap_or_default();
        if n.len() == o.len() {
            for (i, ip) in o.iter().enumerate() {
                if *ip != n[i] {
                    errs.push(FieldError::invalid(
                        format!("spec.clusterIPs[{i}]"),
                        json!(n),
                        "may not change once set",
                    ));
                }
            }
        } else if o.len() > n.len() && n.is_empty() {
            errs.push(FieldError::invalid(
                "spec.clusterIPs[0]",
                json!(n),
                "primary clusterIP can not be unset",
            ));
        }
    }
    if ospec.type_.as_deref() == Some("LoadBalancer")
        && nspec.type_.as_deref() == Some("LoadBalancer")
        && ospec.load_balancer_class != nspec.load_balancer_class
    {
        errs.push(FieldError::invalid(
            "spec.loadBalancerClass",
            json!(nspec.load_balancer_class),
            "may not change once set",
        ));
    }
    if needs_health_check(old)
        && needs_health_check(new)
        && ospec.health_check_node_port != nspec.health_check_node_port
    {
        errs.push(FieldError::forbidden(
            "spec.healthCheckNodePort",
            "field is immutable",
        ));
    }
    errs.extend(service(new));
    errs
}

fn env_var_name(name: &str) -> Vec<String> {
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && !b[0].is_ascii_digit()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.');
    if ok {
        Vec::new()
    } else {
        vec![regex_error(
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
            "[-._a-zA-Z][-._a-zA-Z0-9]*",
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        )]
    }
}

fn container(c: &Container, path: &str, names: &mut Vec<String>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if c.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for m in is_dns1123_label(&c.name) {
            errs.push(FieldError::invalid(
                format!("{path}.name"),
                c.name.as_str(),
                &m,
            ));
        }
        if names.contains(&c.name) {
            errs.push(FieldError::duplicate(
                format!("{path}.name"),
                c.name.as_str(),
            ));
        }
        names.push(c.name.clone());
    }
    if c.image.as_deref().unwrap_or("").trim().is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    let mut port_names: Vec<String> = Vec::new();
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let pp = format!("{path}.ports[{i}]");
        if let Some(n) = p.name.as_deref().filter(|n| !n.is_empty()) {
            for m in is_valid_port_name(n) {
                errs.push(FieldError::invalid(format!("{pp}.name"), n, &m));
            }
            if port_names.iter().any(|x| x == n) {
                errs.push(FieldError::duplicate(format!("{pp}.name"), n));
            }
            port_names.push(n.to_string());
        }
        if let Some(m) = port_num(p.container_port) {
            errs.push(FieldError::invalid(
                format!("{pp}.containerPort"),
                p.container_port,
                m,
            ));
        }
        let proto = p.protocol.as_deref().unwrap_or("");
        if !matches!(proto, "TCP" | "UDP" | "SCTP") {
            errs.push(FieldError::not_supported(
                format!("{pp}.protocol"),
                proto,
                &["SCTP", "TCP", "UDP"],
            ));
        }
    }
    for (i, e) in c.env.iter().flatten().enumerate() {
        let ep = format!("{path}.env[{i}].name");
        if e.name.is_empty() {
            errs.push(FieldError::required(ep, ""));
        } else {
            for m in env_var_name(&e.name) {
                errs.push(FieldError::invalid(ep.clone(), e.name.as_str(), &m));
            }
        }
    }
    if let Some(pp) = &c.image_pull_policy {
        if !matches!(pp.as_str(), "Always" | "IfNotPresent" | "Never") {
            errs.push(FieldError::not_supported(
                format!("{path}.imagePullPolicy"),
                pp.as_str(),
                &["Always", "IfNotPresent", "Never"],
            ));
        }
    }
    errs
}

/// `ValidatePodSpec` (the parts a Services lab meets).
pub fn pod_spec(spec: &PodSpec, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = Vec::new();
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
    }
    for (i, c) in spec.containers.iter().enumerate() {
        errs.extend(container(c, &format!("{path}.containers[{i}]"), &mut names));
    }
    if let Some(rp) = &spec.restart_policy {
        if !matches!(rp.as_str(), "Always" | "OnFailure" | "Never") {
            errs.push(FieldError::not_supported(
                format!("{path}.restartPolicy"),
                rp.as_str(),
                &["Always", "Never", "OnFailure"],
            ));
        }
    }
    if let Some(dp) = &spec.dns_policy {
        if !matches!(
            dp.as_str(),
            "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None"
        ) {
            errs.push(FieldError::not_supported(
                format!("{path}.dnsPolicy"),
                dp.as_str(),
                &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
            ));
        }
    }
    errs
}

/// ``selector` does not match template `labels``, valued with the template's labels (`null`
/// when it has none, as Go prints a nil map).
fn template_mismatch(t: &PodTemplateSpec, path: &str) -> FieldError {
    let labels = t.metadata.as_ref().and_then(|m| m.labels.as_ref());
    FieldError::invalid(
        format!("{path}.metadata.labels"),
        labels.map_or(Value::Null, |l| json!(l)),
        "`selector` does not match template `labels`",
    )
}

/// A nil selector is `labels.Nothing()`: it matches no labels, so it never matches the template.
fn pod_template(
    t: &PodTemplateSpec,
    selector: Option<&LabelSelector>,
    path: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let labels = t
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let sel = Selector::from_label_selector(selector);
    if selector.is_some() && !sel.requirements.is_empty() && !sel.matches(&labels) {
        errs.push(template_mismatch(t, path));
    }
    errs.extend(validate_labels(
        Some(&labels),
        &format!("{path}.metadata.labels"),
    ));
    let empty = PodSpec::default();
    let spec = t.spec.as_ref().unwrap_or(&empty);
    errs.extend(pod_spec(spec, &format!("{path}.spec")));
    if let Some(rp) = &spec.restart_policy {
        if rp != "Always" {
            errs.push(FieldError::not_supported(
                format!("{path}.spec.restartPolicy"),
                rp.as_str(),
                &["Always"],
            ));
        }
    }
    errs
}

fn label_selector(ls: &LabelSelector, path: &str) -> Vec<FieldError> {
    let mut errs = validate_labels(ls.match_labels.as_ref(), &format!("{path}.matchLabels"));
    for (i, e) in ls.match_expressions.iter().flatten().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        let nvals = e.values.as_ref().map_or(0, |v| v.len());
        match e.operator.as_str() {
            "In" | "NotIn" if nvals == 0 => errs.push(FieldError::required(
                format!("{p}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if nvals > 0 => errs.push(FieldError::forbidden(
                format!("{p}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.push(FieldError::invalid(
                format!("{p}.operator"),
                other,
                "not a valid selector operator",
            )),
        }
        for m in is_qualified_name(&e.key) {
            errs.push(FieldError::invalid(format!("{p}.key"), e.key.as_str(), &m));
        }
    }
    errs
}

fn int_or_percent(v: Option<&IntOrString>, path: &str) -> (i64, bool, Vec<FieldError>) {
    match v {
        Some(IntOrString::Int(n)) => {
            let errs = if *n < 0 {
                vec![FieldError::invalid(path, *n, "must be greater than or equal to 0")]
            } else {
                Vec::new()
            };
            (*n as i64, false, errs)
        }
        Some(IntOrString::String(s)) => match s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok()) {
            Some(n) if n > 100 => (n, true, vec![FieldError::invalid(path, s.as_str(), "must not be greater than 100%")]),
            Some(n) if n < 0 => (n, true, vec![FieldError::invalid(path, s.as_str(), "must be greater than or equal to 0")]),
            Some(n) => (n, true, Vec::new()),
            None => (
                0,
                true,
                vec![FieldError::invalid(
                    path,
                    s.as_str(),
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                )],
            ),
        },
        None => (0, false, Vec::new()),
    }
}

/// `ValidateDeployment`.
/// What `ValidateDeploymentSpec` and `ValidateReplicaSetSpec` share: replicas, the selector
/// (upstream's ReplicaSet message also says "for deployment") and the template against it.
fn replicated_spec(
    replicas: Option<i32>,
    selector: &LabelSelector,
    template: &PodTemplateSpec,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let replicas = replicas.unwrap_or(0);
    if replicas < 0 {
        errs.push(FieldError::invalid(
            "spec.replicas",
            replicas,
            "must be greater than or equal to 0",
        ));
    }
    let nil = selector.match_labels.is_none() && selector.match_expressions.is_none();
    if nil {
        errs.push(FieldError::required("spec.selector", ""));
        errs.push(template_mismatch(template, "spec.template"));
    } else {
        errs.extend(label_selector(selector, "spec.selector"));
        if Selector::from_label_selector(Some(selector))
            .requirements
            .is_empty()
        {
            errs.push(FieldError::invalid(
                "spec.selector",
                json!({}),
                "empty selector is invalid for deployment",
            ));
        }
    }
    errs.extend(pod_template(
        template,
        (!nil).then_some(selector),
        "spec.template",
    ));
    errs
}

pub fn deployment(d: &Deployment) -> Vec<FieldError> {
    let mut errs = object_meta(Kind::Deployment, &d.metadata);
    let empty = k8s_openapi::api::apps::v1::DeploymentSpec::default();
    let spec = d.spec.as_ref().unwrap_or(&empty);
    errs.extend(replicated_spec(
        spec.replicas,
        &spec.selector,
        &spec.template,
    ));
    if let Some(st) = &spec.strategy {
        let ty = st.type_.as_deref().unwrap_or("");
        if !matches!(ty, "Recreate" | "RollingUpdate") {
            errs.push(FieldError::not_supported(
                "spec.strategy.type",
                ty,
                &["Recreate", "RollingUpdate"],
            ));
        }
        if ty == "Recreate" && st.rolling_update.is_some() {
            errs.push(FieldError::forbidden(
                "spec.strategy.rollingUpdate",
                "may not be specified when strategy `type` is 'Recreate'",
            ));
        }
        if let Some(ru) = &st.rolling_update {
            let (u, _, e1) = int_or_percent(
                ru.max_unavailable.as_ref(),
                "spec.strategy.rollingUpdate.maxUnavailable",
            );
            let (s, _, e2) = int_or_percent(
                ru.max_surge.as_ref(),
                "spec.strategy.rollingUpdate.maxSurge",
            );
            errs.extend(e1);
            errs.extend(e2);
            if u == 0 && s == 0 {
                errs.push(FieldError::invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    ru.max_unavailable.as_ref().map_or(json!(0), |v| match v {
                        IntOrString::Int(n) => json!(n),
                        IntOrString::String(s) => json!(s),
                    }),
                    "may not be 0 when `maxSurge` is 0",
                ));
            }
        }
    }
    if let Some(r) = spec.revision_history_limit {
        if r < 0 {
            errs.push(FieldError::invalid(
                "spec.revisionHistoryLimit",
                r,
                "must be greater than or equal to 0",
            ));
        }
    }
    errs
}

/// `ValidateDeploymentUpdate`: the spec as on create, then the immutable selector (apps/v1).
pub fn deployment_update(new: &Deployment, old: &Deployment) -> Vec<FieldError> {
    let mut errs = deployment(new);
    let ns = new.spec.as_ref().map(|s| s.selector.clone());
    let os = old.spec.as_ref().map(|s| s.selector.clone());
    if ns != os {
        errs.push(FieldError::invalid(
            "spec.selector",
            serde_json::to_value(ns.unwrap_or_default()).unwrap_or_default(),
            "field is immutable",
        ));
    }
    errs
}

/// Validation on create for any stored kind.
pub fn on_create(obj: &Object) -> Vec<FieldError> {
    match obj {
        Object::Service(s) => service(s),
        Object::Deployment(d) => deployment(d),
        Object::Pod(p) => {
            let mut errs = object_meta(Kind::Pod, &p.metadata);
            let empty = PodSpec::default();
            errs.extend(pod_spec(p.spec.as_ref().unwrap_or(&empty), "spec"));
            errs
        }
        Object::ReplicaSet(rs) => {
            let mut errs = object_meta(Kind::ReplicaSet, &rs.metadata);
            let spec: Cow<'_, ReplicaSetSpec> =
                rs.spec.as_ref().map_or_else(Cow::default, Cow::Borrowed);
            let template: Cow<'_, PodTemplateSpec> = spec
                .template
                .as_ref()
                .map_or_else(Cow::default, Cow::Borrowed);
            errs.extend(replicated_spec(spec.replicas, &spec.selector, &template));
            errs
        }
        Object::DaemonSet(ds) => {
            let mut errs = object_meta(Kind::DaemonSet, &ds.metadata);
            let empty = k8s_openapi::api::apps::v1::DaemonSetSpec::default();
            let spec = ds.spec.as_ref().unwrap_or(&empty);
            // ValidateDaemonSetSpec: no Required for a missing selector, only the mismatch
            // (a nil selector matches nothing); a present but empty one is invalid.
            if spec.selector.match_labels.is_none() && spec.selector.match_expressions.is_none() {
                errs.push(template_mismatch(&spec.template, "spec.template"));
                errs.extend(pod_template(&spec.template, None, "spec.template"));
            } else {
                errs.extend(label_selector(&spec.selector, "spec.selector"));
                let sel = Selector::from_label_selector(Some(&spec.selector));
                if sel.requirements.is_empty() {
                    errs.push(FieldError::invalid(
                        "spec.selector",
                        json!({}),
                        "empty selector is invalid for daemonset",
                    ));
                }
                errs.extend(pod_template(
                    &spec.template,
                    Some(&spec.selector),
                    "spec.template",
                ));
            }
            errs
        }
        other => object_meta(other.kind(), other.meta()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(spec: serde_json::Value) -> Service {
        let mut s: Service = crate::sim::object::from_json(
            &json!({"metadata": {"name": "x", "namespace": "default"}, "spec": spec}),
        )
        .unwrap();
        crate::sim::defaults::service(&mut s);
        s
    }

    #[test]
    fn unnamed_ports_are_required_when_several() {
        let errs = service(&svc(
            json!({"clusterIP": "10.96.0.50", "clusterIPs": ["10.96.0.50"], "ports": [{"port": 80}, {"port": 81}]}),
        ));
        let texts: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            texts,
            vec![
                "spec.ports[0].name: Required value",
                "spec.ports[1].name: Required value"
            ]
        );
    }

    #[test]
    fn quoted_target_port_is_a_name() {
        let errs = service(&svc(
            json!({"clusterIP": "10.96.0.50", "clusterIPs": ["10.96.0.50"], "ports": [{"port": 80, "targetPort": "8080"}]}),
        ));
        assert_eq!(
            errs[0].to_string(),
            "spec.ports[0].targetPort: Invalid value: \"8080\": must contain at least one letter (a-z)"
        );
    }

    #[test]
    fn node_port_forbidden_on_cluster_ip() {
        let errs = service(&svc(
            json!({"clusterIP": "10.96.0.50", "clusterIPs": ["10.96.0.50"], "ports": [{"port": 80, "nodePort": 30080}]}),
        ));
        assert_eq!(
            errs[0].to_string(),
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
        );
    }
}
