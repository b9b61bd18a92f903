//! Admission, the scheduler and the kubelet: where a pod lands, the IP it gets, when its
//! containers start and when it becomes Ready.

use crate::sim::cluster::{Cluster, ObjKey, PodRuntime, Timer};
use crate::sim::controllers::Involved;
use crate::sim::envvars::container_env;
use crate::sim::names;
use crate::sim::net::{ip_to_string, Cidr};
use crate::sim::object::{Kind, Object};
use crate::sim::programs::Program;
use crate::sim::time::SimTime;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStatus, HostIP, KeyToPath, Node, Pod,
    PodCondition, PodIP, Probe, ProjectedVolumeSource, Toleration, Volume, VolumeMount,
    VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rand::Rng;

/// What admission plugins add to a new pod (ServiceAccount, DefaultTolerationSeconds, Priority).
pub(crate) fn admit_pod(pod: &mut Pod, rng: &mut impl Rng) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    if spec
        .service_account_name
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        spec.service_account_name = Some("default".into());
    }
    spec.service_account = spec.service_account_name.clone();
    spec.priority.get_or_insert(0);
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerations.iter().any(|t| t.key.as_deref() == Some(key)) {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
    if spec.automount_service_account_token != Some(false) {
        let vol_name = format!("kube-api-access-{}", names::random_string(rng, 5));
        let volumes = spec.volumes.get_or_insert_with(Vec::new);
        volumes.push(Volume {
            name: vol_name.clone(),
            projected: Some(ProjectedVolumeSource {
                default_mode: Some(420),
                sources: Some(vec![
                    VolumeProjection {
                        service_account_token: Some(
                            k8s_openapi::api::core::v1::ServiceAccountTokenProjection {
                                expiration_seconds: Some(3607),
                                path: "token".into(),
                                ..Default::default()
                            },
                        ),
                        ..Default::default()
                    },
                    VolumeProjection {
                        config_map: Some(k8s_openapi::api::core::v1::ConfigMapProjection {
                            name: "kube-root-ca.crt".into(),
                            items: Some(vec![KeyToPath {
                                key: "ca.crt".into(),
                                path: "ca.crt".into(),
                                mode: None,
                            }]),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        downward_api: Some(k8s_openapi::api::core::v1::DownwardAPIProjection {
                            items: Some(vec![k8s_openapi::api::core::v1::DownwardAPIVolumeFile {
                                path: "namespace".into(),
                                field_ref: Some(k8s_openapi::api::core::v1::ObjectFieldSelector {
                                    api_version: Some("v1".into()),
                                    field_path: "metadata.namespace".into(),
                                }),
                                ..Default::default()
                            }]),
                        }),
                        ..Default::default()
                    },
                ]),
            }),
            ..Default::default()
        });
        for c in spec.containers.iter_mut() {
            c.volume_mounts
                .get_or_insert_with(Vec::new)
                .push(VolumeMount {
                    mount_path: "/var/run/secrets/kubernetes.io/serviceaccount".into(),
                    name: vol_name.clone(),
                    read_only: Some(true),
                    ..Default::default()
                });
        }
    }
}

/// `GetPodQOS`.
pub fn qos_class(pod: &Pod) -> String {
    let mut any = false;
    let mut guaranteed = true;
    let containers = pod.spec.as_ref().map_or(&[][..], |s| &s.containers[..]);
    for c in containers {
        let r = c.resources.as_ref();
        let req = r.and_then(|r| r.requests.as_ref());
        let lim = r.and_then(|r| r.limits.as_ref());
        if req.is_some_and(|m| !m.is_empty()) || lim.is_some_and(|m| !m.is_empty()) {
            any = true;
        }
        for res in ["cpu", "memory"] {
            match (lim.and_then(|m| m.get(res)), req.and_then(|m| m.get(res))) {
                (Some(l), Some(q)) if l == q => {}
                (Some(_), None) => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort".into()
    } else if guaranteed {
        "Guaranteed".into()
    } else {
        "Burstable".into()
    }
}

pub fn node_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

pub fn node_internal_ip(node: &Node) -> Option<String> {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address.clone())
}

pub fn pod_is_terminal(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded") | Some("Failed")
    )
}

pub fn pod_is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

pub(crate) fn tolerates(pod: &Pod, node: &Node) -> bool {
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default();
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
        .iter()
        .all(|t| {
            if t.effect == "PreferNoSchedule" {
                return true;
            }
            tolerations.iter().any(|tol| {
                let key_ok = tol
                    .key
                    .as_deref()
                    .is_none_or(|k| k.is_empty() || k == t.key);
                let op = tol.operator.as_deref().unwrap_or("Equal");
                let val_ok = op == "Exists"
                    || tol.value.as_deref().unwrap_or("") == t.value.as_deref().unwrap_or("");
                let eff_ok = tol
                    .effect
                    .as_deref()
                    .is_none_or(|e| e.is_empty() || e == t.effect);
                key_ok && val_ok && eff_ok
            })
        })
}

/// Picks a node like the default scheduler does for pods without resource requests: feasible,
/// ready nodes; fewest pods of the same owner first (default topology spreading), then fewest
/// pods overall (least allocated); ties broken at random.
fn schedule(cluster: &mut Cluster, pod: &mut Pod, ns: &str, name: &str) -> bool {
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_ref())
        .is_some()
    {
        return true;
    }
    let selector = pod.spec.as_ref().and_then(|s| s.node_selector.as_ref());
    let owner = pod
        .metadata
        .owner_references
        .as_deref()
        .and_then(|o| o.first())
        .map(|o| o.uid.clone());
    let mut best: Vec<(String, (usize, usize))> = Vec::new();
    let mut full = 0;
    let node_count = cluster.list(Kind::Node, None).len();
    for n in cluster.list(Kind::Node, None) {
        let Object::Node(node) = n else { continue };
        if !node_ready(node)
            || node
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
        {
            continue;
        }
        let labels = node.metadata.labels.as_ref();
        let selected = selector
            .into_iter()
            .flatten()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v));
        if !selected || !tolerates(pod, node) {
            continue;
        }
        let node_name = n.name().to_string();
        let total = cluster
            .index
            .pods_on_node
            .get(&node_name)
            .copied()
            .unwrap_or(0);
        let capacity = node
            .status
            .as_ref()
            .and_then(|s| s.allocatable.as_ref())
            .and_then(|a| a.get("pods"))
            .and_then(|q| q.0.parse::<usize>().ok())
            .unwrap_or(110);
        if total >= capacity {
            full += 1;
            continue;
        }
        let same_owner = owner
            .as_ref()
            .and_then(|o| {
                cluster
                    .index
                    .owner_on_node
                    .get(&(o.clone(), node_name.clone()))
            })
            .copied()
            .unwrap_or(0);
        best.push((node_name, (same_owner, total)));
    }
    let Some(min) = best.iter().map(|(_, s)| *s).min() else {
        // stays Pending until a pod leaves (then the scheduler retries)
        cluster
            .unschedulable
            .insert((ns.to_string(), name.to_string()));
        let why = if full > 0 {
            format!("0/{node_count} nodes are available: {full} Too many pods. preemption: 0/{node_count} nodes are available: {full} No preemption victims found for incoming pod.")
        } else {
            format!("0/{node_count} nodes are available: {node_count} node(s) didn't match Pod's node affinity/selector. preemption: 0/{node_count} nodes are available: {node_count} Preemption is not helpful for scheduling.")
        };
        cluster.record_event(
            Involved(ns, "Pod", name, None),
            "Warning",
            "FailedScheduling",
            "default-scheduler",
            &why,
        );
        return false;
    };
    let candidates: Vec<String> = best
        .into_iter()
        .filter(|(_, s)| *s == min)
        .map(|(n, _)| n)
        .collect();
    let chosen = candidates[cluster.rng.random_range(0..candidates.len())].clone();
    pod.spec.get_or_insert_with(Default::default).node_name = Some(chosen.clone());
    let now = cluster.now.to_time();
    let status = pod.status.get_or_insert_with(Default::default);
    set_condition(status, "PodScheduled", true, &now);
    cluster.record_event(
        Involved(ns, "Pod", name, None),
        "Normal",
        "Scheduled",
        "default-scheduler",
        &format!("Successfully assigned {ns}/{name} to {chosen}"),
    );
    true
}

fn set_condition(
    status: &mut k8s_openapi::api::core::v1::PodStatus,
    ty: &str,
    value: bool,
    now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) {
    let conds = status.conditions.get_or_insert_with(Vec::new);
    let s = if value { "True" } else { "False" };
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == ty) {
        if c.status != s {
            c.status = s.into();
            c.last_transition_time = Some(now.clone());
        }
    } else {
        conds.push(PodCondition {
            type_: ty.into(),
            status: s.into(),
            last_transition_time: Some(now.clone()),
            last_probe_time: None,
            ..Default::default()
        });
    }
    // kubectl shows conditions in the kubelet's order
    let order = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ];
    crate::sim::order::sort_by_key(conds, |c| {
        order
            .iter()
            .position(|o| *o == c.type_)
            .unwrap_or(order.len())
    });
}

/// The next free address of the node's podCIDR (host-local IPAM: `.1` is the gateway, addresses
/// are handed out in order and not reused until the range wraps).
fn allocate_pod_ip(cluster: &mut Cluster, node: &str, cidr: &Cidr) -> Option<String> {
    let size = cidr.size() as u32;
    if size < 4 {
        return None;
    }
    // borrowed, not copied: a node may hold thousands of pods
    let used = cluster.index.ips_on_node.get(node);
    let cursor = cluster.pod_ip_cursor.entry(node.to_string()).or_insert(2);
    for _ in 0..size {
        if *cursor >= size - 1 {
            *cursor = 2;
        }
        let ip = ip_to_string(cidr.nth(*cursor));
        *cursor += 1;
        if !used.is_some_and(|u| u.contains(&ip)) {
            return Some(ip);
        }
    }
    None
}

/// The pod's hostname (`GeneratePodHostNameAndDomain`, truncated to 63).
pub fn hostname(pod: &Pod) -> String {
    let h = pod
        .spec
        .as_ref()
        .and_then(|s| s.hostname.clone())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| pod.metadata.name.clone().unwrap_or_default());
    let mut h: String = h.chars().take(63).collect();
    while h.ends_with('-') || h.ends_with('.') {
        h.pop();
    }
    h
}

fn hex(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| crate::sim::names::HEX_DIGITS[rng.random_range(0..16u8) as usize] as char)
        .collect()
}

/// The kubelet starts a scheduled pod: sandbox, IP, containers, environment, readiness.
fn start(cluster: &mut Cluster, pod: &mut Pod, ns: &str, name: &str) {
    let Some(node_name) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
        return;
    };
    if pod
        .status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .is_some()
    {
        return;
    }
    let Some(Object::Node(node)) = cluster.get(Kind::Node, "", &node_name) else {
        return;
    };
    let host_ip = node_internal_ip(node).unwrap_or_default();
    let cidr = node
        .spec
        .as_ref()
        .and_then(|s| s.pod_cidr.as_deref())
        .and_then(Cidr::parse);
    let host_network = pod
        .spec
        .as_ref()
        .and_then(|s| s.host_network)
        .unwrap_or(false);
    let pod_ip = if host_network {
        Some(host_ip.clone())
    } else {
        cidr.and_then(|c| allocate_pod_ip(cluster, &node_name, &c))
    };
    let now = cluster.now.to_time();
    let hostname = hostname(pod);
    let mut statuses = Vec::new();
    let images: Vec<(String, String)> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();
    for (cname, image) in images {
        let repo = image.split(':').next().unwrap_or(&image).to_string();
        statuses.push(ContainerStatus {
            name: cname,
            image: image.clone(),
            image_id: format!(
                "docker-pullable://{repo}@sha256:{}",
                hex(&mut cluster.rng, 64)
            ),
            container_id: Some(format!("docker://{}", hex(&mut cluster.rng, 64))),
            ready: false,
            started: Some(true),
            restart_count: 0,
            state: Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(now.clone()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    {
        let status = pod.status.get_or_insert_with(Default::default);
        status.phase = Some("Running".into());
        status.host_ip = Some(host_ip.clone());
        status.host_ips = Some(vec![HostIP {
            ip: host_ip.clone(),
        }]);
        if let Some(ip) = &pod_ip {
            status.pod_ip = Some(ip.clone());
            status.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
        }
        status.start_time = Some(now.clone());
        status.container_statuses = Some(statuses);
        for (ty, v) in [
            ("PodReadyToStartContainers", true),
            ("Initialized", true),
            ("Ready", false),
            ("ContainersReady", false),
        ] {
            set_condition(status, ty, v, &now);
        }
    }
    // The environment is fixed now: Services created later are not in it.
    let env = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .map(|c| container_env(cluster, pod, c, &hostname))
        .unwrap_or_default();
    cluster.runtime.insert(
        (ns.to_string(), name.to_string()),
        PodRuntime {
            env,
            started: cluster.now,
        },
    );
    let containers: Vec<(String, String)> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();
    for (cname, image) in containers {
        cluster.record_event(
            Involved(ns, "Pod", name, Some(&cname)),
            "Normal",
            "Pulled",
            "kubelet",
            &format!("Container image \"{image}\" already present on machine"),
        );
        cluster.record_event(
            Involved(ns, "Pod", name, Some(&cname)),
            "Normal",
            "Created",
            "kubelet",
            &format!("Created container: {cname}"),
        );
        cluster.record_event(
            Involved(ns, "Pod", name, Some(&cname)),
            "Normal",
            "Started",
            "kubelet",
            &format!("Started container {cname}"),
        );
    }
    // the pod is written after its kubelet's first events: they take the node from here
    if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
        cluster.set_kubelet_event_host(ns, name, node);
    }
}

fn probe_port(probe: &Probe, c: &k8s_openapi::api::core::v1::Container) -> Option<i32> {
    let port = probe
        .http_get
        .as_ref()
        .map(|h| h.port.clone())
        .or_else(|| probe.tcp_socket.as_ref().map(|t| t.port.clone()))
        .or_else(|| probe.grpc.as_ref().map(|g| IntOrString::Int(g.port)))?;
    match port {
        IntOrString::Int(n) => Some(n),
        IntOrString::String(name) => c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port),
    }
}

/// Re-evaluates container readiness and the pod's Ready condition at the current time, and
/// schedules the next check when a probe's initial delay has not passed yet.
pub(crate) fn update_readiness(cluster: &mut Cluster, ns: &str, name: &str) {
    let Some(Object::Pod(mut pod)) = cluster.get(Kind::Pod, ns, name).cloned() else {
        return;
    };
    let before = pod.clone();
    let next = readiness(cluster, &mut pod, ns, name);
    if pod != before {
        cluster.put(Object::Pod(pod));
    }
    recheck_readiness_at(cluster, ns, name, next);
}

/// Asks for another readiness evaluation when a probe's initial delay ends.
fn recheck_readiness_at(cluster: &mut Cluster, ns: &str, name: &str, at: Option<SimTime>) {
    if let Some(at) = at {
        cluster.add_timer(
            at,
            Timer::PodReadinessCheck {
                namespace: ns.to_string(),
                name: name.to_string(),
            },
        );
    }
}

/// The scheduler and the kubelet on a new pod, written back once.
#[inline(never)]
pub(crate) fn schedule_and_start(cluster: &mut Cluster, ns: &str, name: &str) {
    let key = ObjKey::new(Kind::Pod, ns, name);
    let next = cluster.modify(&key, |cluster, obj| {
        let Object::Pod(pod) = obj else { return None };
        if !schedule(cluster, pod, ns, name) {
            return None;
        }
        start(cluster, pod, ns, name);
        Some(readiness(cluster, pod, ns, name))
    });
    if let Some(next) = next {
        recheck_readiness_at(cluster, ns, name, next);
    }
}

/// Container readiness and the pod's Ready condition at the current time; returns when to look
/// again if a probe's initial delay has not passed yet.
fn readiness(cluster: &Cluster, pod: &mut Pod, ns: &str, name: &str) -> Option<SimTime> {
    let started = cluster.runtime(ns, name).map(|r| r.started)?;
    let empty = k8s_openapi::api::core::v1::PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty);
    let mut next_check: Option<SimTime> = None;
    let mut all_ready = true;
    let mut statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    for c in &spec.containers {
        let ready = match &c.readiness_probe {
            None => true,
            Some(p) => {
                let due = started.plus_secs(p.initial_delay_seconds.unwrap_or(0).max(0) as u64);
                if cluster.now < due {
                    next_check = Some(next_check.map_or(due, |n| n.min(due)));
                    false
                } else if p.exec.is_some() {
                    true
                } else {
                    let program = Program::for_container(c);
                    probe_port(p, c).is_some_and(|port| program.listens_on(port))
                }
            }
        };
        all_ready &= ready;
        if let Some(s) = statuses.iter_mut().find(|s| s.name == c.name) {
            s.ready = ready;
        }
    }
    let gates_ok = spec.readiness_gates.iter().flatten().all(|g| {
        pod.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == g.condition_type))
            .is_some_and(|c| c.status == "True")
    });
    let now = cluster.now.to_time();
    let ready = all_ready && gates_ok;
    let status = pod.status.get_or_insert_with(Default::default);
    status.container_statuses = Some(statuses);
    set_condition(status, "ContainersReady", all_ready, &now);
    set_condition(status, "Ready", ready, &now);
    next_check
}

/// The STATUS column of `kubectl get pods` (`printPod`).
pub fn status_reason(pod: &Pod) -> String {
    let empty = k8s_openapi::api::core::v1::PodStatus::default();
    let st = pod.status.as_ref().unwrap_or(&empty);
    let mut reason = st.phase.clone().unwrap_or_default();
    if let Some(r) = st.reason.clone().filter(|r| !r.is_empty()) {
        reason = r;
    }
    for cs in st.container_statuses.iter().flatten().rev() {
        if let Some(state) = &cs.state {
            if let Some(w) = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = w;
            } else if let Some(t) = &state.terminated {
                reason = t
                    .reason
                    .clone()
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| {
                        if t.signal.unwrap_or(0) != 0 {
                            format!("Signal:{}", t.signal.unwrap_or(0))
                        } else {
                            format!("ExitCode:{}", t.exit_code)
                        }
                    });
            }
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        if st.reason.as_deref() == Some("NodeLost") {
            reason = "Unknown".into();
        } else if reason != "Succeeded"
            && reason != "Failed"
            && st.phase.as_deref() != Some("Succeeded")
            && st.phase.as_deref() != Some("Failed")
        {
            reason = "Terminating".into();
        }
    }
    reason
}
