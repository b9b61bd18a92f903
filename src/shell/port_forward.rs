//! `kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT…` (kubectl's `portforward.go` and
//! client-go's `tools/portforward`), and the pod that kubectl picks for `TYPE/NAME` in
//! port-forward, exec and logs (`AttachablePodForObjectFn`). The forward keeps running while
//! other commands are typed, as in a second terminal; Ctrl-C in the lab's terminal stops it.

use super::flags::val;
use super::kubectl::{namespace, parse, resolve_kind};
use super::{errors, Job, Output, Shell};
use crate::sim::api::ApiError;
use crate::sim::labels::Selector;
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{Pod, Service};

/// The pod kubectl works on for `NAME` (a pod) or `TYPE/NAME` (the first pod of the object's
/// selector, the most active one). With no pod to pick, kubectl watches for one until the
/// timeout passes (simulated time moves on).
pub fn attachable_pod(
    sh: &mut Shell,
    ns: &str,
    target: &str,
    timeout_ms: u64,
) -> Result<Pod, String> {
    pod_for_object(sh, ns, target, timeout_ms, "attach to").map(|(p, _)| p)
}

/// The pod for `NAME` or `TYPE/NAME` and how many pods the object's selector found (`what`
/// names the command in kubectl's error: "attach to", "get the logs from").
fn pod_for_object(
    sh: &mut Shell,
    ns: &str,
    target: &str,
    timeout_ms: u64,
    what: &str,
) -> Result<(Pod, usize), String> {
    let (kind, name) = match target.split_once('/') {
        Some((t, n)) => (resolve_kind(t)?, n),
        None => (Kind::Pod, target),
    };
    let Some(obj) = sh.cluster.get(kind, ns, name) else {
        return Err(errors::single(&ApiError::not_found(kind, name)));
    };
    let go_type = format!("*{}.{}", kind.version(), kind.name());
    let selector = match obj {
        Object::Pod(p) => return Ok(((**p).clone(), 1)),
        Object::Deployment(d) => {
            Selector::from_label_selector(d.spec.as_ref().map(|s| &s.selector))
        }
        Object::ReplicaSet(r) => {
            Selector::from_label_selector(r.spec.as_ref().map(|s| &s.selector))
        }
        Object::DaemonSet(d) => {
            Selector::from_label_selector(d.spec.as_ref().map(|s| &s.selector))
        }
        Object::Service(s) => match s.spec.as_ref().and_then(|s| s.selector.as_ref()) {
            Some(sel) if !sel.is_empty() => Selector::from_set(sel),
            _ => {
                return Err(format!(
                    "error: cannot {what} {go_type}: invalid service '{name}': Service is defined without a selector"
                ))
            }
        },
        _ => {
            return Err(format!(
                "error: cannot {what} {go_type}: selector for {go_type} not implemented"
            ))
        }
    };
    let pods: Vec<&Pod> = sh
        .cluster
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::Pod(p) => Some(&**p),
            _ => None,
        })
        .filter(|p| selector.matches(p.metadata.labels.as_ref().unwrap_or(&Default::default())))
        .collect();
    if let Some(p) = crate::sim::portforward::first_pod(&pods) {
        return Ok((p.clone(), pods.len()));
    }
    sh.cluster.advance(timeout_ms);
    Err("error: timed out waiting for the condition".into())
}

/// The command looking for a pod: `exec` (`AttachablePodForObjectFn`) or `logs`
/// (`LogsForObjectFn`, which says on stderr which of several pods it took).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodFor {
    Exec,
    Logs,
}

impl PodFor {
    /// the command's default `--pod-running-timeout`
    fn default_ms(self) -> u64 {
        match self {
            PodFor::Exec => 60_000,
            PodFor::Logs => 20_000,
        }
    }

    /// how kubectl's errors name what the command does to the object
    fn what(self) -> &'static str {
        match self {
            PodFor::Exec => "attach to",
            PodFor::Logs => "get the logs from",
        }
    }
}

/// The pod's name for `exec` or `logs`, waiting up to their `--pod-running-timeout`.
pub fn pod_for(
    sh: &mut Shell,
    p: &super::flags::Parsed,
    ns: &str,
    target: &str,
    user: PodFor,
    out: &mut Output,
) -> Result<String, Output> {
    let timeout =
        running_timeout(p, user.default_ms()).map_err(|e| Output::fail(format!("error: {e}")))?;
    let (pod, found) =
        pod_for_object(sh, ns, target, timeout, user.what()).map_err(Output::fail)?;
    let name = pod.metadata.name.unwrap_or_default();
    if user == PodFor::Logs && found > 1 {
        out.err(format!("Found {found} pods, using pod/{name}\n"));
    }
    Ok(name)
}

/// `--pod-running-timeout` (Go durations such as `1m`, `30s`, `1m30s`).
pub fn running_timeout(p: &super::flags::Parsed, default_ms: u64) -> Result<u64, String> {
    let Some(v) = p.get("pod-running-timeout") else {
        return Ok(default_ms);
    };
    let mut total = 0f64;
    let mut num = String::new();
    for c in v.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3_600_000.0,
            'm' => 60_000.0,
            's' => 1000.0,
            _ => f64::NAN,
        };
        match num.parse::<f64>() {
            Ok(n) if unit.is_finite() => total += n * unit,
            _ => return Err(format!("time: invalid duration \"{v}\"")),
        }
        num.clear();
    }
    if !num.is_empty() {
        return Err(format!("time: missing unit in duration \"{v}\""));
    }
    if total <= 0.0 {
        return Err("--pod-running-timeout must be higher than zero".into());
    }
    Ok(total as u64)
}

/// Go's `strconv.ParseUint(s, 10, 16)` error.
fn parse_u16(s: &str) -> Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseUint: parsing \"{s}\": invalid syntax"
        ));
    }
    s.parse::<u16>()
        .map_err(|_| format!("strconv.ParseUint: parsing \"{s}\": value out of range"))
}

/// `splitPort`: `[LOCAL:]REMOTE` (three or more parts keep the whole string on both sides,
/// and `parsePorts` refuses it later).
fn split_port(p: &str) -> (&str, &str) {
    let parts: Vec<&str> = p.split(':').collect();
    if parts.len() == 2 {
        (parts[0], parts[1])
    } else {
        (parts[0], parts[0])
    }
}

/// `translateServicePortToTargetPort`: a Service's port (by number or name) becomes the pod's
/// container port its targetPort names.
fn translate_service_ports(
    ports: &[String],
    svc: &Service,
    pod: &Pod,
) -> Result<Vec<String>, String> {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let spec = svc.spec.clone().unwrap_or_default();
    let svc_ports = spec.ports.clone().unwrap_or_default();
    let mut out = Vec::new();
    for port in ports {
        let (mut local, remote) = split_port(port);
        let local_owned;
        let number: i32 = match remote.parse::<i32>() {
            Ok(n) => n,
            Err(_) => {
                let Some(sp) = svc_ports.iter().find(|p| p.name.as_deref() == Some(remote)) else {
                    return Err(format!(
                        "Service '{name}' does not have a named port '{remote}'"
                    ));
                };
                if local == remote {
                    local_owned = sp.port.to_string();
                    local = &local_owned;
                }
                sp.port
            }
        };
        let container = if spec.cluster_ip.as_deref() == Some("None") {
            number
        } else {
            let Some(sp) = svc_ports.iter().find(|p| p.port == number) else {
                return Err(format!(
                    "Service {name} does not have a service port {number}"
                ));
            };
            match &sp.target_port {
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(n)) => {
                    container_port_by_name(pod, n)?
                }
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(0)) | None => {
                    sp.port
                }
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(t)) => *t,
            }
        };
        let remote = container.to_string();
        out.push(if local != remote {
            format!("{local}:{remote}")
        } else {
            remote
        });
    }
    Ok(out)
}

/// `LookupContainerPortNumberByName`.
fn container_port_by_name(pod: &Pod, name: &str) -> Result<i32, String> {
    let spec = pod.spec.clone().unwrap_or_default();
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .map(|p| p.container_port)
        .ok_or_else(|| {
            format!(
                "Pod '{}' does not have a named port '{name}'",
                pod.metadata.name.as_deref().unwrap_or_default()
            )
        })
}

/// `convertPodNamedPortToNumber`.
fn pod_named_ports(ports: &[String], pod: &Pod) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for port in ports {
        let (local, remote) = split_port(port);
        if remote.is_empty() {
            return Err("remote port cannot be empty".into());
        }
        let number = match remote.parse::<i64>() {
            Ok(_) => remote.to_string(),
            Err(_) => container_port_by_name(pod, remote)?.to_string(),
        };
        out.push(if local != remote {
            format!("{local}:{number}")
        } else {
            number
        });
    }
    Ok(out)
}

/// `checkUDPPortInService` / `checkUDPPortInPod`: kubectl forwards TCP only.
fn check_udp(ports: &[String], udp_only: &[i32]) -> Result<(), String> {
    for port in ports {
        let (_, remote) = split_port(port);
        if let Ok(n) = remote.parse::<i32>() {
            if udp_only.contains(&n) {
                return Err(format!("UDP protocol is not supported for {remote}"));
            }
        }
    }
    Ok(())
}

fn udp_only(pairs: impl Iterator<Item = (i32, String)>) -> Vec<i32> {
    let pairs: Vec<(i32, String)> = pairs.collect();
    pairs
        .iter()
        .filter(|(n, p)| p == "UDP" && !pairs.iter().any(|(m, q)| m == n && q == "TCP"))
        .map(|(n, _)| *n)
        .collect()
}

/// `parsePorts`.
fn parse_ports(ports: &[String]) -> Result<Vec<(u16, u16)>, String> {
    let mut out = Vec::new();
    for p in ports {
        let parts: Vec<&str> = p.split(':').collect();
        let (local, remote) = match parts.as_slice() {
            [one] => (*one, *one),
            [l, r] => (if l.is_empty() { "0" } else { *l }, *r),
            _ => return Err(format!("invalid port format '{p}'")),
        };
        let l = parse_u16(local).map_err(|e| format!("error parsing local port '{local}': {e}"))?;
        let r =
            parse_u16(remote).map_err(|e| format!("error parsing remote port '{remote}': {e}"))?;
        if r == 0 {
            return Err("remote port must be > 0".into());
        }
        out.push((l, r));
    }
    Ok(out)
}

/// `parseAddresses`: `localhost` is the pair 127.0.0.1 and ::1 (either may fail), an IP must
/// listen itself; sorted as strings.
fn parse_addresses(list: &[String]) -> Result<Vec<(String, bool)>, String> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for a in list.iter().flat_map(|a| a.split(',')) {
        let a = a.trim();
        let entries: Vec<(String, bool)> = if a == "localhost" {
            vec![("127.0.0.1".into(), true), ("::1".into(), true)]
        } else if crate::sim::net::parse_ip(a).is_some() || a.parse::<std::net::Ipv6Addr>().is_ok()
        {
            vec![(a.to_string(), false)]
        } else {
            return Err(format!("{a} is not a valid IP"));
        };
        for (addr, lh) in entries {
            match out.iter_mut().find(|(x, _)| *x == addr) {
                // an explicit address replaces the localhost entry
                Some(slot) => {
                    if !lh {
                        slot.1 = false;
                    }
                }
                None => out.push((addr, lh)),
            }
        }
    }
    out.sort();
    Ok(out)
}

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[val("address", None), val("pod-running-timeout", None)],
        "kubectl port-forward",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if p.args.len() < 2 {
        return Output::fail(errors::usage(
            "kubectl port-forward",
            "TYPE/NAME and list of ports are required for port-forward",
        ));
    }
    let timeout = match running_timeout(&p, 60_000) {
        Ok(t) => t,
        Err(e) => return Output::fail(errors::usage("kubectl port-forward", &e)),
    };
    let ns = namespace(sh, &p);
    let target = p.args[0].clone();
    let ports = p.args[1..].to_vec();
    let pod = match attachable_pod(sh, &ns, &target, timeout) {
        Ok(pod) => pod,
        Err(e) => return Output::fail(e),
    };
    let svc = target
        .split_once('/')
        .and_then(|(t, n)| (resolve_kind(t).ok() == Some(Kind::Service)).then_some(n))
        .and_then(|n| match sh.cluster.get(Kind::Service, &ns, n) {
            Some(Object::Service(s)) => Some(s.clone()),
            _ => None,
        });
    let translated = match &svc {
        Some(s) => {
            let udp = udp_only(
                s.spec
                    .iter()
                    .flat_map(|sp| sp.ports.iter().flatten())
                    .map(|p| (p.port, p.protocol.clone().unwrap_or_else(|| "TCP".into()))),
            );
            check_udp(&ports, &udp).and_then(|()| translate_service_ports(&ports, s, &pod))
        }
        None => {
            let udp = udp_only(
                pod.spec
                    .iter()
                    .flat_map(|sp| sp.containers.iter())
                    .flat_map(|c| c.ports.iter().flatten())
                    .map(|p| {
                        (
                            p.container_port,
                            p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                        )
                    }),
            );
            check_udp(&ports, &udp).and_then(|()| pod_named_ports(&ports, &pod))
        }
    };
    let translated = match translated {
        Ok(t) => t,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    // RunPortForward reads the pod again
    let phase = match sh.cluster.get(Kind::Pod, &ns, &pod_name) {
        Some(Object::Pod(p)) => p
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default(),
        _ => return Output::fail(errors::single(&ApiError::not_found(Kind::Pod, &pod_name))),
    };
    if phase != "Running" {
        return Output::fail(format!(
            "error: unable to forward port because pod is not running. Current status={phase}"
        ));
    }
    let addresses = match parse_addresses(&p.all("address")) {
        Ok(a) if a.is_empty() => vec![("127.0.0.1".into(), true), ("::1".into(), true)],
        Ok(a) => a,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    let forwards = match parse_ports(&translated) {
        Ok(f) => f,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    let before: Vec<u32> = sh.cluster.port_forwards.iter().map(|f| f.pid).collect();
    let (lines, errs) = sh
        .cluster
        .start_port_forward(&ns, &pod_name, &addresses, &forwards);
    let mut o = Output::ok();
    for l in lines {
        o.out(format!("{l}\n"));
    }
    for e in &errs {
        o.err(format!("{e}\n"));
    }
    match sh
        .cluster
        .port_forwards
        .iter()
        .find(|f| !before.contains(&f.pid))
    {
        Some(f) => sh.jobs.push(Job::PortForward(f.pid)),
        None => {
            let list: Vec<String> = forwards
                .iter()
                .map(|(l, r)| format!("{{{l} {r}}}"))
                .collect();
            o.err(format!(
                "error: unable to listen on any of the requested ports: [{}]\n",
                list.join(" ")
            ));
            o.code = 1;
        }
    }
    o
}
