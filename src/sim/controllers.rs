//! kube-controller-manager's Deployment and ReplicaSet controllers, and the loop that runs every
//! controller until the cluster is steady.

use crate::sim::cluster::{Cluster, ObjKey};
use crate::sim::kubelet::{self, pod_is_ready, pod_is_terminal};
use crate::sim::labels::Selector;
use crate::sim::names;
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec, ReplicaSetStatus,
};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";

/// The annotations the deployment controller and kubectl keep for themselves
/// (`annotationsToSkip`): not copied between a Deployment and its ReplicaSets.
pub const ANNOTATIONS_TO_SKIP: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// `copyDeploymentAnnotationsToReplicaSet`: every annotation of the Deployment but those.
fn copy_deployment_annotations(d: &Deployment, to: &mut BTreeMap<String, String>) {
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) && to.get(k) != Some(v) {
            to.insert(k.clone(), v.clone());
        }
    }
}

/// The object an event is about: namespace, kind, name, and the container a kubelet event is
/// about (its `fieldPath`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Involved<'a>(
    pub &'a str,
    pub &'static str,
    pub &'a str,
    pub Option<&'a str>,
);

/// A recorded event, as `kubectl describe` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The Event object's name: the involved object's name and the recorder's clock in
    /// nanoseconds, in hex (`makeEvent`); the apiserver lists events in this order.
    pub id: String,
    pub namespace: String,
    pub kind: &'static str,
    pub name: String,
    pub type_: &'static str,
    pub reason: &'static str,
    pub source: &'static str,
    pub message: String,
    pub first: crate::sim::time::SimTime,
    pub last: crate::sim::time::SimTime,
    pub count: u32,
    /// `involvedObject.fieldPath` of a container's event: `spec.containers{NAME}`.
    pub field_path: Option<String>,
    /// The involved object's uid when the event was recorded (`None` while it was being
    /// created: `kubectl get events -o yaml` then reads it from the object).
    pub involved_uid: Option<String>,
    /// The node of a kubelet's event (`source.host`), read when it was recorded: the pod may
    /// be gone by the time the event is read.
    pub host: Option<String>,
    /// The involved object's resourceVersion when the event was recorded: its current one, or
    /// the one it is about to be written with. The event's own resourceVersion is shown as the
    /// same (the lab's events take no place in the store's sequence).
    pub rv: u64,
}

/// Whether a DaemonSet's pod was made from the template revision `hash`.
fn of_revision(p: &Pod, hash: &str) -> bool {
    p.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("controller-revision-hash"))
        .is_some_and(|h| h == hash)
}

/// The kind of an event's involved object.
pub fn event_kind(kind: &str) -> Option<Kind> {
    match kind {
        "Pod" => Some(Kind::Pod),
        "ReplicaSet" => Some(Kind::ReplicaSet),
        "Deployment" => Some(Kind::Deployment),
        "DaemonSet" => Some(Kind::DaemonSet),
        _ => None,
    }
}

/// The events map's key for an involved object (one string: one allocation per event).
fn event_key(ns: &str, kind: &str, name: &str) -> String {
    let mut k = String::with_capacity(ns.len() + kind.len() + name.len() + 2);
    for (i, part) in [ns, kind, name].into_iter().enumerate() {
        if i > 0 {
            k.push('\0');
        }
        k.push_str(part);
    }
    k
}

impl Cluster {
    pub(crate) fn record_event(
        &mut self,
        about: Involved,
        ty: &'static str,
        reason: &'static str,
        source: &'static str,
        message: &str,
    ) {
        let Involved(ns, kind, name, container) = about;
        let now = self.now;
        let stored = event_kind(kind).and_then(|k| self.get(k, ns, name));
        let involved_uid = stored.and_then(|o| o.meta().uid.clone());
        let host = match stored {
            Some(Object::Pod(p)) if source == "kubelet" => {
                p.spec.as_ref().and_then(|s| s.node_name.clone())
            }
            _ => None,
        };
        let rv = stored
            .and_then(|o| o.meta().resource_version.as_deref())
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.resource_version + 1);
        let list = self.events.entry(event_key(ns, kind, name)).or_default();
        if let Some(e) = list
            .iter_mut()
            .find(|e| e.reason == reason && e.message == message)
        {
            e.count += 1;
            e.last = now;
            return;
        }
        // events recorded in the same simulated millisecond differ in the nanoseconds, as
        // events of a real recorder do
        self.event_seq = (self.event_seq + 1) % 1_000_000;
        let nanos = crate::sim::time::EPOCH_SECONDS as u64 * 1_000_000_000
            + now.0 * 1_000_000
            + self.event_seq;
        // `{name}.{nanos:x}`, written directly: `format!` cost ~900 instructions an event, and
        // an apply of 200 objects records ~550 of them
        let mut id = String::with_capacity(name.len() + 17);
        id.push_str(name);
        id.push('.');
        crate::sim::names::push_hex(&mut id, nanos);
        list.push(Event {
            id,
            namespace: ns.into(),
            kind,
            name: name.into(),
            type_: ty,
            reason,
            source,
            message: message.into(),
            first: now,
            last: now,
            count: 1,
            field_path: container.map(|c| format!("spec.containers{{{c}}}")),
            involved_uid,
            host,
            rv,
        });
        // keep memory bounded in long classroom sessions: the newest events of each object
        if list.len() > 50 {
            list.remove(0);
        }
    }

    /// Sets `source.host` on a pod's kubelet events recorded before the pod was stored.
    pub(crate) fn set_kubelet_event_host(&mut self, ns: &str, pod: &str, node: &str) {
        if let Some(list) = self.events.get_mut(&event_key(ns, "Pod", pod)) {
            for e in list
                .iter_mut()
                .filter(|e| e.source == "kubelet" && e.host.is_none())
            {
                e.host = Some(node.to_string());
            }
        }
    }

    /// Every recorded event, in the apiserver's list order: namespace, then the event's name (so
    /// `web-5d…-x7k2p.…` comes before `web.…`, as `-` sorts before `.`).
    pub fn all_events(&self) -> Vec<&Event> {
        let mut v: Vec<&Event> = self.events.values().flatten().collect();
        crate::sim::order::sort_by(&mut v, |a, b| {
            (&a.namespace, &a.id).cmp(&(&b.namespace, &b.id))
        });
        v
    }

    pub fn events_for(&self, ns: &str, kind: &str, name: &str) -> Vec<&Event> {
        let mut v: Vec<&Event> = self
            .events
            .get(&event_key(ns, kind, name))
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        crate::sim::order::sort_by_key(&mut v, |e| e.last);
        v
    }

    /// Runs the controllers until nothing is left to do. Each controller's sync stays its own
    /// function (`#[inline(never)]`): the browser compiles a wasm function whole on its first
    /// call, and one 65 KB loop of every controller cost 8 ms of the first render.
    pub(crate) fn reconcile(&mut self) {
        if self.reconciling {
            return;
        }
        self.reconciling = true;
        for _ in 0..1000 {
            if self.dirty_deployments.is_empty()
                && self.dirty_replicasets.is_empty()
                && self.unscheduled.is_empty()
                && self.dirty_daemonsets.is_empty()
                && self.dirty_services.is_empty()
            {
                break;
            }
            for (ns, name) in std::mem::take(&mut self.dirty_deployments) {
                self.sync_deployment(&ns, &name);
            }
            for (ns, name) in std::mem::take(&mut self.dirty_replicasets) {
                self.sync_replica_set(&ns, &name);
            }
            for (ns, name) in std::mem::take(&mut self.dirty_daemonsets) {
                self.sync_daemon_set(&ns, &name);
            }
            for (ns, name) in std::mem::take(&mut self.unscheduled) {
                kubelet::schedule_and_start(self, &ns, &name);
            }
            for (ns, name) in std::mem::take(&mut self.dirty_services) {
                crate::sim::lb::sync(self, &ns, &name);
                crate::sim::endpoints::sync_service(self, &ns, &name);
            }
        }
        self.reconciling = false;
    }

    /// Objects of `kind` in `ns` controlled by the object with `uid` (from the owner index).
    fn owned<'a: 'b, 'b>(
        &'a self,
        kind: Kind,
        ns: &'b str,
        uid: &'b str,
    ) -> impl Iterator<Item = &'a std::sync::Arc<Object>> + 'b {
        self.index
            .owned
            .get(uid)
            .into_iter()
            .flatten()
            .filter(move |(k, n, _)| *k == kind && n == ns)
            .filter_map(|(k, n, name)| self.objects.get_shared(*k, n, name))
            .filter(move |o| controlled_by(o, uid))
    }

    /// The objects of a kind in a namespace whose controller is the object with this UID.
    pub fn owned_by<'a>(&'a self, kind: Kind, ns: &str, uid: &str) -> Vec<&'a Object> {
        self.owned(kind, ns, uid).map(|o| &**o).collect()
    }

    /// As `owned_by`, held shared (for a controller that writes while it reads them).
    fn owned_shared(&self, kind: Kind, ns: &str, uid: &str) -> Vec<std::sync::Arc<Object>> {
        self.owned(kind, ns, uid).cloned().collect()
    }

    /// The controller's pods that still count: neither deleting nor finished.
    fn active_pods<'a>(&'a self, ns: &str, uid: &str) -> impl Iterator<Item = &'a Pod> + 'a {
        self.owned_by(Kind::Pod, ns, uid)
            .into_iter()
            .filter_map(|o| {
                if let Object::Pod(p) = o {
                    Some(&**p)
                } else {
                    None
                }
            })
            .filter(|p| p.metadata.deletion_timestamp.is_none() && !pod_is_terminal(p))
    }

    #[inline(never)]
    fn sync_replica_set(&mut self, ns: &str, name: &str) {
        // held shared while pods are created; copied only when its status changes
        let Some(held) = self.get_shared(Kind::ReplicaSet, ns, name) else {
            return;
        };
        let Some(rs) = held.as_replica_set() else {
            return;
        };
        if rs.metadata.deletion_timestamp.is_some() {
            return;
        }
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        let spec: std::borrow::Cow<'_, ReplicaSetSpec> = rs
            .spec
            .as_ref()
            .map(std::borrow::Cow::Borrowed)
            .unwrap_or_default();
        let want = spec.replicas.unwrap_or(1).max(0) as usize;
        // active pods with their deletion rank (getPodsToDelete: unscheduled, then pending,
        // then not ready, then the newest), read without copying the pods
        type Rank = (
            bool,
            bool,
            bool,
            std::cmp::Reverse<Option<k8s_openapi::chrono::DateTime<k8s_openapi::chrono::Utc>>>,
            std::cmp::Reverse<String>,
        );
        let mut active: Vec<(Rank, String)> = self
            .active_pods(ns, &uid)
            .map(|p| {
                let pname = p.metadata.name.clone().unwrap_or_default();
                let rank = (
                    p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some(),
                    p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"),
                    pod_is_ready(p),
                    std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0)),
                    std::cmp::Reverse(pname.clone()),
                );
                (rank, pname)
            })
            .collect();
        if active.len() < want {
            for _ in active.len()..want {
                let pods_now = self.index.pods;
                if pods_now >= self.config.max_pods {
                    let msg = format!(
                        "Error creating: pods \"{name}-\" is forbidden: svclab holds at most {} pods in a cluster",
                        self.config.max_pods
                    );
                    self.record_event(
                        Involved(ns, "ReplicaSet", name, None),
                        "Warning",
                        "FailedCreate",
                        "replicaset-controller",
                        &msg,
                    );
                    break;
                }
                let pod = self.pod_from_template(rs, spec.template.clone().unwrap_or_default());
                if let Ok(key) = self.create_key(Object::Pod(Box::new(pod))) {
                    let msg = format!("Created pod: {}", key.name);
                    self.record_event(
                        Involved(ns, "ReplicaSet", name, None),
                        "Normal",
                        "SuccessfulCreate",
                        "replicaset-controller",
                        &msg,
                    );
                }
            }
        } else if active.len() > want {
            crate::sim::order::sort_by(&mut active, |a, b| a.0.cmp(&b.0));
            let surplus = active.len() - want;
            for (_, pname) in active.drain(..surplus) {
                self.delete_owned_pod(Involved(ns, "ReplicaSet", name, None), &pname);
            }
        }
        // status from the pods as they are now
        let (count, ready) = self.active_pods(ns, &uid).fold((0i32, 0i32), |(n, r), p| {
            (n + 1, r + i32::from(pod_is_ready(p)))
        });
        let status = ReplicaSetStatus {
            replicas: count,
            fully_labeled_replicas: Some(count),
            ready_replicas: Some(ready),
            available_replicas: Some(ready),
            observed_generation: rs.metadata.generation,
            ..Default::default()
        };
        let status = strip_zero_rs_status(status);
        if rs.status.as_ref() != Some(&status) {
            drop(spec);
            // let go of the shared hold so that the write needs no copy
            drop(held);
            self.write_own_status(&ObjKey::new(Kind::ReplicaSet, ns, name), |_, obj| {
                let Object::ReplicaSet(rs) = obj else {
                    return None;
                };
                rs.status = Some(status);
                Some(())
            });
        }
    }

    /// The DaemonSet controller: one pod on every node the template fits (node selector and
    /// taints), none elsewhere. Pods are bound to their node directly.
    #[inline(never)]
    fn sync_daemon_set(&mut self, ns: &str, name: &str) {
        let Some(Object::DaemonSet(ds)) = self.get(Kind::DaemonSet, ns, name).cloned() else {
            return;
        };
        if ds.metadata.deletion_timestamp.is_some() {
            return;
        }
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let spec = ds.spec.clone().unwrap_or_default();
        let mut template = spec.template.clone();
        // the controller's default tolerations (AddOrUpdateDaemonPodTolerations)
        let tspec = template.spec.get_or_insert_with(Default::default);
        let tolerations = tspec.tolerations.get_or_insert_with(Vec::new);
        for (key, effect) in [
            ("node.kubernetes.io/not-ready", "NoExecute"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"),
            ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ] {
            if !tolerations
                .iter()
                .any(|t| t.key.as_deref() == Some(key) && t.effect.as_deref() == Some(effect))
            {
                tolerations.push(k8s_openapi::api::core::v1::Toleration {
                    key: Some(key.into()),
                    operator: Some("Exists".into()),
                    effect: Some(effect.into()),
                    ..Default::default()
                });
            }
        }
        if tspec.host_network == Some(true)
            && !tolerations
                .iter()
                .any(|t| t.key.as_deref() == Some("node.kubernetes.io/network-unavailable"))
        {
            tolerations.push(k8s_openapi::api::core::v1::Toleration {
                key: Some("node.kubernetes.io/network-unavailable".into()),
                operator: Some("Exists".into()),
                effect: Some("NoSchedule".into()),
                ..Default::default()
            });
        }
        let probe = Pod {
            metadata: Default::default(),
            spec: template.spec.clone(),
            status: None,
        };
        let selector = template
            .spec
            .as_ref()
            .and_then(|s| s.node_selector.clone())
            .unwrap_or_default();
        let nodes: Vec<String> = self
            .list(Kind::Node, None)
            .into_iter()
            .filter_map(|o| {
                if let Object::Node(n) = o {
                    Some(n)
                } else {
                    None
                }
            })
            .filter(|n| {
                let labels = n.metadata.labels.as_ref();
                selector
                    .iter()
                    .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                    && kubelet::tolerates(&probe, n)
            })
            .map(|n| n.metadata.name.clone().unwrap_or_default())
            .collect();
        let mut on_node: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in self.active_pods(ns, &uid) {
            let node = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default();
            on_node
                .entry(node)
                .or_default()
                .push(p.metadata.name.clone().unwrap_or_default());
        }
        let generation = ds.metadata.generation.unwrap_or(1).to_string();
        let revision_hash = names::pod_template_hash(
            &serde_json::to_value(&spec.template).unwrap_or_default(),
            None,
        );
        for node in &nodes {
            if on_node.contains_key(node) {
                continue;
            }
            let tm = template.metadata.clone().unwrap_or_default();
            let mut labels = tm.labels.clone().unwrap_or_default();
            labels.insert("controller-revision-hash".into(), revision_hash.clone());
            labels.insert("pod-template-generation".into(), generation.clone());
            let mut pspec = template.spec.clone().unwrap_or_default();
            pspec.node_name = Some(node.clone());
            let pod = Pod {
                metadata: ObjectMeta {
                    generate_name: Some(format!("{name}-")),
                    namespace: Some(ns.to_string()),
                    labels: Some(labels),
                    annotations: tm.annotations,
                    owner_references: Some(vec![OwnerReference {
                        api_version: "apps/v1".into(),
                        kind: "DaemonSet".into(),
                        name: name.to_string(),
                        uid: uid.clone(),
                        controller: Some(true),
                        block_owner_deletion: Some(true),
                    }]),
                    ..Default::default()
                },
                spec: Some(pspec),
                status: None,
            };
            if let Ok(key) = self.create_key(Object::Pod(Box::new(pod))) {
                let msg = format!("Created pod: {}", key.name);
                self.record_event(
                    Involved(ns, "DaemonSet", name, None),
                    "Normal",
                    "SuccessfulCreate",
                    "daemonset-controller",
                    &msg,
                );
            }
        }
        for (node, pods) in &on_node {
            let keep = usize::from(nodes.contains(node));
            for pname in pods.iter().skip(keep) {
                self.delete_owned_pod(Involved(ns, "DaemonSet", name, None), pname);
            }
        }
        let rolling = spec
            .update_strategy
            .as_ref()
            .and_then(|s| s.type_.as_deref())
            .unwrap_or("RollingUpdate")
            == "RollingUpdate";
        if rolling {
            let max_unavailable = resolve_int_or_percent(
                spec.update_strategy
                    .as_ref()
                    .and_then(|s| s.rolling_update.as_ref())
                    .and_then(|r| r.max_unavailable.as_ref()),
                nodes.len() as i32,
                true,
            )
            .max(1);
            for pname in self.daemon_pods_to_replace(ns, &uid, &revision_hash, max_unavailable) {
                self.delete_owned_pod(Involved(ns, "DaemonSet", name, None), &pname);
            }
        }
        let (scheduled, ready, updated) =
            self.active_pods(ns, &uid)
                .fold((0i32, 0i32, 0i32), |(n, r, u), p| {
                    let on_eligible = p
                        .spec
                        .as_ref()
                        .and_then(|s| s.node_name.as_ref())
                        .is_some_and(|n| nodes.contains(n));
                    let current = of_revision(p, &revision_hash);
                    (
                        n + i32::from(on_eligible),
                        r + i32::from(on_eligible && pod_is_ready(p)),
                        u + i32::from(on_eligible && current),
                    )
                });
        let status = k8s_openapi::api::apps::v1::DaemonSetStatus {
            current_number_scheduled: scheduled,
            desired_number_scheduled: nodes.len() as i32,
            number_ready: ready,
            number_available: Some(ready).filter(|n| *n != 0),
            number_unavailable: Some(nodes.len() as i32 - ready).filter(|n| *n > 0),
            updated_number_scheduled: Some(updated).filter(|n| *n != 0),
            number_misscheduled: 0,
            observed_generation: ds.metadata.generation,
            ..Default::default()
        };
        if ds.status.as_ref() != Some(&status) {
            let mut ds = ds;
            ds.status = Some(status);
            self.put(Object::DaemonSet(ds));
        }
    }

    /// A ReplicaSet or DaemonSet deletes one of its pods, and says so.
    fn delete_owned_pod(&mut self, owner: Involved, pod: &str) {
        let Involved(ns, kind, _, _) = owner;
        let _ = self.delete(Kind::Pod, ns, pod, None);
        let source = if kind == "ReplicaSet" {
            "replicaset-controller"
        } else {
            "daemonset-controller"
        };
        self.record_event(
            owner,
            "Normal",
            "SuccessfulDelete",
            source,
            &format!("Deleted pod: {pod}"),
        );
    }

    /// The old pods a RollingUpdate DaemonSet deletes now (`rollingUpdate` with maxSurge 0):
    /// every old pod that is not available, and old available pods while fewer than
    /// `max_unavailable` of the nodes are without an available pod. Nodes are visited in name
    /// order (upstream's map order is random). The manage step then creates the new pods.
    fn daemon_pods_to_replace(
        &self,
        ns: &str,
        uid: &str,
        hash: &str,
        max_unavailable: i32,
    ) -> Vec<String> {
        let mut by_node: BTreeMap<&str, (Vec<&Pod>, Vec<&Pod>)> = BTreeMap::new();
        for p in self.active_pods(ns, uid) {
            let node = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .unwrap_or("");
            let current = of_revision(p, hash);
            let (new, old) = by_node.entry(node).or_default();
            if current {
                new.push(p);
            } else {
                old.push(p);
            }
        }
        let mut unavailable = 0;
        let mut replace = Vec::new();
        let mut candidates = Vec::new();
        for (new, old) in by_node.values() {
            match (new.as_slice(), old.as_slice()) {
                ([], [old]) if !pod_is_ready(old) => replace.push(old),
                ([], [_]) if unavailable >= max_unavailable => {}
                ([], [old]) => candidates.push(old),
                ([new], []) => unavailable += i32::from(!pod_is_ready(new)),
                // both, or several: the manage step sorts the node out; it counts as unavailable
                _ => unavailable += 1,
            }
        }
        let room = (max_unavailable - unavailable).clamp(0, candidates.len() as i32) as usize;
        replace
            .into_iter()
            .chain(candidates.into_iter().take(room))
            .map(|p| p.metadata.name.clone().unwrap_or_default())
            .collect()
    }

    fn pod_from_template(&mut self, rs: &ReplicaSet, template: PodTemplateSpec) -> Pod {
        let tm = template.metadata.unwrap_or_default();
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        Pod {
            metadata: ObjectMeta {
                generate_name: Some(format!("{rs_name}-")),
                namespace: rs.metadata.namespace.clone(),
                labels: tm.labels,
                annotations: tm.annotations,
                owner_references: Some(vec![OwnerReference {
                    api_version: "apps/v1".into(),
                    kind: "ReplicaSet".into(),
                    name: rs_name,
                    uid: rs.metadata.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]),
                ..Default::default()
            },
            spec: template.spec,
            status: None,
        }
    }

    #[inline(never)]
    fn sync_deployment(&mut self, ns: &str, name: &str) {
        // the Deployment and its ReplicaSets are held shared while the controller writes
        let Some(held) = self.get_shared(Kind::Deployment, ns, name) else {
            return;
        };
        let Object::Deployment(d) = &*held else {
            return;
        };
        if d.metadata.deletion_timestamp.is_some() {
            return;
        }
        let uid = d.metadata.uid.clone().unwrap_or_default();
        let spec: std::borrow::Cow<'_, k8s_openapi::api::apps::v1::DeploymentSpec> = d
            .spec
            .as_ref()
            .map(std::borrow::Cow::Borrowed)
            .unwrap_or_default();
        let replicas = spec.replicas.unwrap_or(1).max(0);
        let owned = self.owned_shared(Kind::ReplicaSet, ns, &uid);
        let rss: Vec<&ReplicaSet> = owned.iter().filter_map(|o| o.as_replica_set()).collect();
        let max_revision = rss.iter().filter_map(|r| revision(r)).max().unwrap_or(0);
        let new_rs = rss
            .iter()
            .copied()
            .find(|rs| same_template(rs, &spec.template));
        let new_uid = new_rs.and_then(|n| n.metadata.uid.as_deref());
        let olds: Vec<&ReplicaSet> = rss
            .iter()
            .copied()
            .filter(|rs| rs.metadata.uid.as_deref() != new_uid || new_rs.is_none())
            .collect();
        let old_total: i32 = olds.iter().map(|r| rs_replicas(r)).sum();
        let recreate = spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
        let (max_surge, max_unavailable) = surge_and_unavailable(d, replicas);

        if spec.paused == Some(true) {
            // a paused Deployment does not roll out (`sync`: no new ReplicaSet, no rolling); a
            // lone active ReplicaSet still follows the replica count
            let active: Vec<&ReplicaSet> =
                rss.iter().copied().filter(|r| rs_replicas(r) > 0).collect();
            let latest = match active.as_slice() {
                [one] => Some(*one),
                [] => new_rs.or_else(|| rss.iter().copied().max_by_key(|r| revision(r))),
                _ => None,
            };
            if let Some(rs) = latest.filter(|r| rs_replicas(r) != replicas) {
                self.scale_rs(rs, replicas, ns, name);
            }
            let new_name = new_rs
                .and_then(|r| r.metadata.name.clone())
                .unwrap_or_default();
            self.update_deployment_status(ns, name, &uid, &new_name, replicas, max_unavailable);
            return;
        }
        // the ReplicaSet this sync creates, held shared
        let created: Option<std::sync::Arc<Object>>;
        let new_rs: std::borrow::Cow<'_, ReplicaSet> = match new_rs {
            Some(rs) => {
                // SetNewReplicaSetAnnotations: the Deployment's annotations, and on a rollback
                // to an old template the newest revision (the old one kept in the history)
                let rev = revision(rs).unwrap_or(0);
                // the annotations are worked out first: the ReplicaSet is copied only when they
                // change
                let mut annotations = rs.metadata.annotations.clone().unwrap_or_default();
                let a = &mut annotations;
                copy_deployment_annotations(d, a);
                if rev < max_revision {
                    a.insert(REVISION.into(), (max_revision + 1).to_string());
                    let history = a.get(REVISION_HISTORY).cloned().unwrap_or_default();
                    a.insert(
                        REVISION_HISTORY.into(),
                        if history.is_empty() {
                            rev.to_string()
                        } else {
                            format!("{history},{rev}")
                        },
                    );
                }
                if rs.metadata.annotations.as_ref() != Some(&annotations) {
                    let mut updated = rs.clone();
                    updated.metadata.annotations = Some(annotations);
                    self.put(Object::ReplicaSet(Box::new(updated.clone())));
                    std::borrow::Cow::Owned(updated)
                } else {
                    std::borrow::Cow::Borrowed(rs)
                }
            }
            None => {
                let initial = if recreate {
                    0
                } else if old_total == 0 {
                    replicas
                } else {
                    (replicas + max_surge - old_total).clamp(0, replicas)
                };
                let template_value = serde_json::to_value(&spec.template).unwrap_or_default();
                let collision = d.status.as_ref().and_then(|s| s.collision_count);
                let hash = names::pod_template_hash(&template_value, collision);
                let rs = self.new_replica_set(d, &hash, initial, max_revision + 1, max_surge);
                created = self
                    .create_key(Object::ReplicaSet(Box::new(rs)))
                    .ok()
                    .and_then(|key| self.get_shared(key.kind, &key.namespace, &key.name));
                match created.as_deref() {
                    Some(Object::ReplicaSet(rs)) => {
                        let rs_name = rs.metadata.name.clone().unwrap_or_default();
                        self.record_event(
                            Involved(ns, "Deployment", name, None),
                            "Normal",
                            "ScalingReplicaSet",
                            "deployment-controller",
                            &format!("Scaled up replica set {rs_name} from 0 to {initial}"),
                        );
                        std::borrow::Cow::Borrowed(rs)
                    }
                    _ => return,
                }
            }
        };

        let new_name = new_rs.metadata.name.clone().unwrap_or_default();
        if recreate {
            let old_pods_alive = olds.iter().any(|rs| {
                let ruid = rs.metadata.uid.clone().unwrap_or_default();
                !self.owned_by(Kind::Pod, ns, &ruid).is_empty()
            });
            for rs in &olds {
                if rs_replicas(rs) != 0 {
                    self.scale_rs(rs, 0, ns, name);
                }
            }
            if !old_pods_alive && rs_replicas(&new_rs) != replicas {
                self.scale_rs(&new_rs, replicas, ns, name);
            }
        } else if old_total == 0 {
            if rs_replicas(&new_rs) != replicas {
                self.scale_rs(&new_rs, replicas, ns, name);
            }
        } else {
            // reconcileNewReplicaSet
            let current: i32 = rss.iter().map(|r| rs_replicas(r)).sum();
            let new_replicas = rs_replicas(&new_rs);
            if new_replicas < replicas {
                let scale_up = (replicas + max_surge - current).max(0);
                let target = (new_replicas + scale_up).min(replicas);
                if target != new_replicas {
                    self.scale_rs(&new_rs, target, ns, name);
                }
            } else if new_replicas > replicas {
                self.scale_rs(&new_rs, replicas, ns, name);
            }
            // reconcileOldReplicaSets
            let now = self.get_shared(
                Kind::ReplicaSet,
                ns,
                new_rs.metadata.name.as_deref().unwrap_or(""),
            );
            let new_rs = now
                .as_deref()
                .and_then(Object::as_replica_set)
                .unwrap_or(&new_rs);
            let all_pods: i32 =
                olds.iter().map(|r| rs_replicas(r)).sum::<i32>() + rs_replicas(new_rs);
            let min_available = replicas - max_unavailable;
            let new_available = new_rs
                .status
                .as_ref()
                .and_then(|s| s.available_replicas)
                .unwrap_or(0);
            let new_unavailable = rs_replicas(new_rs) - new_available;
            let mut max_scaled_down = all_pods - min_available - new_unavailable;
            // old pods that are not available can always go
            for rs in &olds {
                let avail = rs
                    .status
                    .as_ref()
                    .and_then(|s| s.available_replicas)
                    .unwrap_or(0);
                let unhealthy = rs_replicas(rs) - avail;
                if unhealthy > 0 {
                    self.scale_rs(rs, rs_replicas(rs) - unhealthy, ns, name);
                    max_scaled_down -= 0;
                }
            }
            if max_scaled_down > 0 {
                let mut olds_sorted: Vec<ReplicaSet> = olds
                    .iter()
                    .filter_map(|r| {
                        match self.get(
                            Kind::ReplicaSet,
                            ns,
                            r.metadata.name.as_deref().unwrap_or(""),
                        ) {
                            Some(Object::ReplicaSet(r)) => Some((**r).clone()),
                            _ => None,
                        }
                    })
                    .collect();
                crate::sim::order::sort_by_key(&mut olds_sorted, |r| {
                    r.metadata.creation_timestamp.clone().map(|t| t.0)
                });
                for rs in olds_sorted {
                    if max_scaled_down <= 0 {
                        break;
                    }
                    let cur = rs_replicas(&rs);
                    if cur == 0 {
                        continue;
                    }
                    let by = cur.min(max_scaled_down);
                    self.scale_rs(&rs, cur - by, ns, name);
                    max_scaled_down -= by;
                }
            }
        }
        // let go of the shared holds so that the status write needs no copy
        drop((new_rs, spec, rss, olds));
        drop((owned, held));
        self.update_deployment_status(ns, name, &uid, &new_name, replicas, max_unavailable);
    }

    fn new_replica_set(
        &mut self,
        d: &Deployment,
        hash: &str,
        replicas: i32,
        revision: i64,
        max_surge: i32,
    ) -> ReplicaSet {
        let spec: std::borrow::Cow<'_, k8s_openapi::api::apps::v1::DeploymentSpec> = d
            .spec
            .as_ref()
            .map_or_else(Default::default, std::borrow::Cow::Borrowed);
        let name = d.metadata.name.clone().unwrap_or_default();
        let mut template = spec.template.clone();
        let tm = template.metadata.get_or_insert_with(Default::default);
        tm.labels
            .get_or_insert_with(Default::default)
            .insert("pod-template-hash".into(), hash.into());
        let mut selector = spec.selector.clone();
        selector
            .match_labels
            .get_or_insert_with(Default::default)
            .insert("pod-template-hash".into(), hash.into());
        let mut labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        labels.insert("pod-template-hash".into(), hash.into());
        let desired = spec.replicas.unwrap_or(1);
        let mut annotations = BTreeMap::new();
        annotations.insert(
            "deployment.kubernetes.io/desired-replicas".to_string(),
            desired.to_string(),
        );
        annotations.insert(
            "deployment.kubernetes.io/max-replicas".to_string(),
            (desired + max_surge).to_string(),
        );
        annotations.insert(REVISION.to_string(), revision.to_string());
        copy_deployment_annotations(d, &mut annotations);
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some(format!("{name}-{hash}")),
                namespace: d.metadata.namespace.clone(),
                labels: Some(labels),
                annotations: Some(annotations),
                owner_references: Some(vec![OwnerReference {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into(),
                    name,
                    uid: d.metadata.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: Some(true),
                }]),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(replicas),
                selector,
                template: Some(template),
                min_ready_seconds: spec.min_ready_seconds,
            }),
            status: None,
        }
    }

    fn scale_rs(&mut self, rs: &ReplicaSet, to: i32, ns: &str, deployment: &str) {
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        let Some(Object::ReplicaSet(mut cur)) = self.get(Kind::ReplicaSet, ns, &rs_name).cloned()
        else {
            return;
        };
        let from = rs_replicas(&cur);
        if from == to {
            return;
        }
        cur.spec.get_or_insert_with(Default::default).replicas = Some(to);
        cur.metadata.generation = Some(cur.metadata.generation.unwrap_or(1) + 1);
        if let Some(Object::Deployment(d)) = self.get(Kind::Deployment, ns, deployment) {
            let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            cur.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(
                    "deployment.kubernetes.io/desired-replicas".into(),
                    desired.to_string(),
                );
        }
        self.put(Object::ReplicaSet(cur));
        let verb = if to > from { "up" } else { "down" };
        self.record_event(
            Involved(ns, "Deployment", deployment, None),
            "Normal",
            "ScalingReplicaSet",
            "deployment-controller",
            &format!("Scaled {verb} replica set {rs_name} from {from} to {to}"),
        );
    }

    fn update_deployment_status(
        &mut self,
        ns: &str,
        name: &str,
        uid: &str,
        new_name: &str,
        replicas: i32,
        max_unavailable: i32,
    ) {
        // read shared; copied only when the status changes
        let Some(held) = self.get_shared(Kind::Deployment, ns, name) else {
            return;
        };
        let Object::Deployment(d) = &*held else {
            return;
        };
        let owned = self.owned_shared(Kind::ReplicaSet, ns, uid);
        let rss: Vec<&ReplicaSet> = owned.iter().filter_map(|o| o.as_replica_set()).collect();
        let new_name = new_name.to_string();
        let mut st = DeploymentStatus::default();
        let (mut total, mut ready, mut available, mut updated) = (0, 0, 0, 0);
        for rs in &rss {
            let Some(s) = rs.status.as_ref() else {
                continue;
            };
            total += s.replicas;
            ready += s.ready_replicas.unwrap_or(0);
            available += s.available_replicas.unwrap_or(0);
            if rs.metadata.name.as_deref() == Some(new_name.as_str())
                || d.spec
                    .as_ref()
                    .is_some_and(|sp| same_template(rs, &sp.template))
            {
                updated += s.replicas;
            }
        }
        st.observed_generation = d.metadata.generation;
        st.replicas = Some(total).filter(|v| *v != 0);
        st.updated_replicas = Some(updated).filter(|v| *v != 0);
        st.ready_replicas = Some(ready).filter(|v| *v != 0);
        st.available_replicas = Some(available).filter(|v| *v != 0);
        st.unavailable_replicas =
            Some((total.max(replicas) - available).max(0)).filter(|v| *v != 0);
        st.collision_count = d.status.as_ref().and_then(|s| s.collision_count);
        let now = self.now.to_time();
        let old_conds = d
            .status
            .as_ref()
            .and_then(|s| s.conditions.clone())
            .unwrap_or_default();
        let cond = |ty: &str, status: &str, reason: &str, message: String| {
            let prev = old_conds.iter().find(|c| c.type_ == ty);
            let transition = match prev {
                Some(p) if p.status == status => p.last_transition_time.clone(),
                _ => Some(now.clone()),
            };
            let update = match prev {
                Some(p)
                    if p.status == status
                        && p.reason.as_deref() == Some(reason)
                        && p.message.as_deref() == Some(message.as_str()) =>
                {
                    p.last_update_time.clone()
                }
                _ => Some(now.clone()),
            };
            DeploymentCondition {
                type_: ty.into(),
                status: status.into(),
                reason: Some(reason.into()),
                message: Some(message),
                last_transition_time: transition,
                last_update_time: update,
            }
        };
        let available_cond = if available >= replicas - max_unavailable {
            cond(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
            )
        } else {
            cond(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
            )
        };
        let complete = updated == replicas && available == replicas && total == replicas;
        let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        let progressing = if paused {
            cond(
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused".into(),
            )
        } else if complete {
            cond(
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                format!("ReplicaSet \"{new_name}\" has successfully progressed."),
            )
        } else {
            cond(
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{new_name}\" is progressing."),
            )
        };
        st.conditions = Some(vec![available_cond, progressing]);
        let new_revision = rss
            .iter()
            .find(|rs| rs.metadata.name.as_deref() == Some(new_name.as_str()))
            .and_then(|r| revision(r))
            .map(|r| r.to_string());
        let annotated = d
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION));
        let revision_changes = new_revision.is_some() && new_revision.as_ref() != annotated;
        if d.status.as_ref() != Some(&st) || revision_changes {
            drop(owned);
            drop(held);
            self.write_own_status(&ObjKey::new(Kind::Deployment, ns, name), |_, obj| {
                let Object::Deployment(d) = obj else {
                    return None;
                };
                if let Some(rev) = new_revision {
                    d.metadata
                        .annotations
                        .get_or_insert_with(Default::default)
                        .insert(REVISION.into(), rev);
                }
                d.status = Some(st);
                Some(())
            });
        }
    }
}

fn strip_zero_rs_status(mut s: ReplicaSetStatus) -> ReplicaSetStatus {
    // omitempty: zero counts are not serialised
    if s.ready_replicas == Some(0) {
        s.ready_replicas = None;
    }
    if s.available_replicas == Some(0) {
        s.available_replicas = None;
    }
    if s.fully_labeled_replicas == Some(0) {
        s.fully_labeled_replicas = None;
    }
    s
}

/// Is `uid` the object's controller (an owner reference with `controller: true`)?
fn controlled_by(o: &Object, uid: &str) -> bool {
    o.meta()
        .owner_references
        .iter()
        .flatten()
        .any(|r| r.uid == uid && r.controller == Some(true))
}

pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn revision(rs: &ReplicaSet) -> Option<i64> {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|v| v.parse().ok())
}

/// Equal templates, ignoring the `pod-template-hash` label the controller added.
/// `EqualIgnoreHash`: the ReplicaSet's pod template is this one, its pod-template-hash label
/// aside (how the controller, `describe` and `rollout undo` find a Deployment's ReplicaSet).
pub fn same_template(rs: &ReplicaSet, template: &PodTemplateSpec) -> bool {
    let Some(t) = rs.spec.as_ref().and_then(|s| s.template.as_ref()) else {
        return false;
    };
    if t.spec != template.spec {
        return false;
    }
    let empty = ObjectMeta::default();
    let (a, b) = (
        t.metadata.as_ref().unwrap_or(&empty),
        template.metadata.as_ref().unwrap_or(&empty),
    );
    let labels = |m: &ObjectMeta| {
        m.labels
            .iter()
            .flatten()
            .filter(|(k, _)| k.as_str() != "pod-template-hash")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    a.annotations.as_ref().filter(|x| !x.is_empty())
        == b.annotations.as_ref().filter(|x| !x.is_empty())
        && labels(a) == labels(b)
        && a.name == b.name
        && a.namespace == b.namespace
}

fn resolve_int_or_percent(v: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    match v {
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            let raw = pct * total as i64;
            (if round_up {
                (raw + 99) / 100
            } else {
                raw / 100
            }) as i32
        }
        None => 0,
    }
}

/// `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down; both zero means one unavailable.
fn surge_and_unavailable(d: &Deployment, replicas: i32) -> (i32, i32) {
    let ru = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    let Some(ru) = ru else { return (0, 0) };
    let surge = resolve_int_or_percent(ru.max_surge.as_ref(), replicas, true);
    let mut unavailable = resolve_int_or_percent(ru.max_unavailable.as_ref(), replicas, false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable.min(replicas))
}

pub fn selector_of(ls: &LabelSelector) -> Selector {
    Selector::from_label_selector(Some(ls))
}
