//! The cluster: an object store with the apiserver's verbs (create, update, apply, delete), its
//! allocators, simulated time, and the controllers that react to every change.
//!
//! Invariants: all randomness comes from `rng` (seeded); time only moves in `advance`; objects live
//! in a `BTreeMap` so that every listing has the apiserver's order (namespace, then name).

use crate::sim::alloc::{IpAllocator, PortAllocator};
use crate::sim::api::ApiError;
use crate::sim::field::FieldError;
use crate::sim::merge::three_way;
use crate::sim::net::{ip_to_string, parse_ip, Cidr};
use crate::sim::object::{Kind, Object};
use crate::sim::time::SimTime;
use crate::sim::{defaults, names, validate};
use k8s_openapi::api::core::v1::{Pod, Service};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(kind: Kind, namespace: &str, name: &str) -> Self {
        let namespace = if kind.namespaced() {
            namespace.to_string()
        } else {
            String::new()
        };
        ObjKey {
            kind,
            namespace,
            name: name.to_string(),
        }
    }
    pub fn of(obj: &Object) -> Self {
        ObjKey::new(obj.kind(), obj.namespace(), obj.name())
    }
}

/// Cluster-wide settings (what kubeadm and minikube configure).
#[derive(Debug, Clone)]
pub struct Config {
    pub service_cidr: Cidr,
    pub node_port_base: u16,
    pub node_port_size: u16,
    pub domain: String,
    pub dns_ip: u32,
    pub max_endpoints_per_slice: usize,
    /// The lab's own limit on pods that controllers create (a browser tab is not a datacenter).
    pub max_pods: usize,
    pub kubernetes_version: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            service_cidr: Cidr::parse("10.96.0.0/12").expect("static cidr"),
            node_port_base: 30000,
            node_port_size: 2768,
            domain: "cluster.local".into(),
            dns_ip: parse_ip("10.96.0.10").expect("static ip"),
            max_endpoints_per_slice: 100,
            max_pods: 2000,
            kubernetes_version: "v1.34.0".into(),
        }
    }
}

/// What `kubectl apply` did to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyResult {
    Created,
    Configured,
    Unchanged,
}

type ServiceEnvCache = (
    (String, bool, u64),
    std::sync::Arc<Vec<std::sync::Arc<crate::sim::envvars::ServiceEnv>>>,
);

/// Kubelet-side state of a running container that the API objects do not carry.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRuntime {
    /// The environment the container started with (service links are fixed at start).
    pub env: crate::sim::envvars::EnvSnapshot,
    pub started: SimTime,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    PodReadinessCheck {
        namespace: String,
        name: String,
    },
    PodGone {
        namespace: String,
        name: String,
        uid: String,
    },
    /// The apiserver's periodic sync of `default/kubernetes` (every 10 s since it started).
    ApiserverServiceSync,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub now: SimTime,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) objects: crate::sim::store::Store,
    pub config: Config,
    pub(crate) ips: IpAllocator,
    pub(crate) ports: PortAllocator,
    /// Per node, the host-local IPAM cursor (next index to try in the node's podCIDR).
    pub(crate) pod_ip_cursor: BTreeMap<String, u32>,
    pub(crate) runtime: BTreeMap<(String, String), PodRuntime>,
    pub(crate) timers: BTreeSet<(SimTime, u64, Timer)>,
    pub(crate) timer_seq: u64,
    pub(crate) resource_version: u64,
    pub(crate) dirty_deployments: BTreeSet<(String, String)>,
    pub(crate) dirty_replicasets: BTreeSet<(String, String)>,
    pub(crate) dirty_services: BTreeSet<(String, String)>,
    pub(crate) dirty_daemonsets: BTreeSet<(String, String)>,
    pub(crate) unscheduled: BTreeSet<(String, String)>,
    /// Pods no node could take; retried when a pod leaves.
    pub(crate) unschedulable: BTreeSet<(String, String)>,
    /// Nodes the cluster booted from manifests: their first apply reports `created`.
    pub(crate) booted_nodes: BTreeSet<String>,
    /// Increases on every stored change; views use it to know when to redraw.
    pub generation: u64,
    pub(crate) events: BTreeMap<String, Vec<crate::sim::controllers::Event>>,
    /// Counts recorded events, for the nanoseconds of their names.
    pub(crate) event_seq: u64,
    pub(crate) reconciling: bool,
    pub(crate) index: crate::sim::index::Indexes,
    /// Per Service, the digest of the inputs its endpoints were last computed from.
    /// (namespace → name, so that a resync of 10,000 Services looks them up without copying
    /// their names)
    pub(crate) endpoint_fingerprints:
        rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, (u64, u64)>>,
    /// The endpoints controllers' last trigger time, formatted: while simulated time stands
    /// still (a whole reconcile) every write stamps the same text, and formatting it through
    /// chrono for each of 20,000 objects was 1.6 % of a full reconcile.
    pub(crate) trigger_time: Option<(SimTime, String)>,
    /// Moves whenever a Service is written or removed (the kubelet's Service variables).
    pub(crate) service_generation: u64,
    /// The Service variables last computed: (namespace, service links, generation) and them.
    pub(crate) service_env_cache: Option<ServiceEnvCache>,
    /// Each Service as a container's variables see it, until that Service changes.
    pub(crate) service_env_items:
        rustc_hash::FxHashMap<(String, String), std::sync::Arc<crate::sim::envvars::ServiceEnv>>,
    /// kube-proxy's rules per node, rewritten lazily per changed Service
    pub(crate) proxy: crate::sim::proxy::ruleset::ProxyState,
    /// kube-proxy's settings, parsed from its ConfigMap when that changes
    pub(crate) proxy_cfg: Option<crate::sim::kubeproxy::ProxyConfig>,
    /// the kernel's `recent` lists on every node (ClientIP session affinity)
    pub(crate) recent: crate::sim::proxy::walk::RecentLists,
    /// Per object, the JSON its last `kubectl apply` sent and the resourceVersion that apply
    /// left (see `apply_is_noop`).
    pub(crate) applied: rustc_hash::FxHashMap<ObjKey, (Arc<Value>, String)>,
    /// The process id of a running `minikube tunnel` on the trainer's machine: while it runs,
    /// the service CIDR is routed to the control-plane node and every LoadBalancer Service's
    /// ingress is its ClusterIP. minikube has no load-balancer controller otherwise.
    pub tunnel: Option<u32>,
    /// running `kubectl port-forward` processes on the trainer's machine
    pub port_forwards: Vec<crate::sim::portforward::PortForward>,
}

impl Cluster {
    pub(crate) fn empty(seed: u64) -> Cluster {
        let config = Config::default();
        Cluster {
            now: SimTime(0),
            rng: ChaCha8Rng::seed_from_u64(seed),
            objects: Default::default(),
            ips: IpAllocator::new(config.service_cidr),
            ports: PortAllocator::new(config.node_port_base, config.node_port_size),
            config,
            pod_ip_cursor: BTreeMap::new(),
            runtime: BTreeMap::new(),
            timers: BTreeSet::new(),
            timer_seq: 0,
            resource_version: 1000,
            dirty_deployments: BTreeSet::new(),
            dirty_replicasets: BTreeSet::new(),
            dirty_services: BTreeSet::new(),
            dirty_daemonsets: BTreeSet::new(),
            unscheduled: BTreeSet::new(),
            unschedulable: BTreeSet::new(),
            booted_nodes: BTreeSet::new(),
            generation: 0,
            events: BTreeMap::new(),
            event_seq: 0,
            reconciling: false,
            index: Default::default(),
            endpoint_fingerprints: rustc_hash::FxHashMap::default(),
            trigger_time: None,
            service_generation: 0,
            service_env_cache: None,
            service_env_items: Default::default(),
            proxy: Default::default(),
            recent: Default::default(),
            applied: Default::default(),
            proxy_cfg: None,
            tunnel: None,
            port_forwards: Vec::new(),
        }
    }

    // ---- reading ---------------------------------------------------------------------------

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.objects.get_ref(kind, namespace, name)
    }

    /// The stored object, shared: for a controller that reads it while it writes others.
    pub(crate) fn get_shared(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<Object>> {
        self.objects.get_shared(kind, namespace, name).cloned()
    }

    /// Objects of one kind, in one namespace or all, in list order.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Object> {
        self.objects.list(kind, namespace)
    }

    pub fn all_objects(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        self.get(Kind::Namespace, "", ns).is_some()
    }

    pub fn runtime(&self, namespace: &str, name: &str) -> Option<&PodRuntime> {
        self.runtime.get(&(namespace.to_string(), name.to_string()))
    }

    // ---- writing ----------------------------------------------------------------------------

    pub(crate) fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// Stores an object as controllers write it (no validation), marking dependants dirty.
    pub(crate) fn put(&mut self, mut obj: Object) {
        let key = ObjKey::of(&obj);
        let rv = self.next_rv();
        obj.meta_mut().resource_version = Some(rv);
        let (old, new) = self.objects.insert(&key, obj);
        self.index.update(old.as_deref(), new.map(|n| &**n));
        self.generation += 1;
        self.after_change(&key, old.as_deref());
    }

    /// Rewrites a stored object in place as a controller does (no validation): `f` gets the
    /// cluster without the object and the object, and answers `None` when it left the object
    /// unchanged. No copy is made unless a cluster copy shares the object (a Pod is ~100
    /// allocations). Only for writes that keep the object's labels and owner references: what
    /// depends on it is marked from the new object alone.
    pub(crate) fn modify<R>(
        &mut self,
        key: &ObjKey,
        f: impl FnOnce(&mut Cluster, &mut Object) -> Option<R>,
    ) -> Option<R> {
        let mut held = self.objects.take(key)?;
        self.index.update(Some(&held), None);
        let out = f(self, Arc::make_mut(&mut held));
        if out.is_some() {
            let rv = self.next_rv();
            Arc::make_mut(&mut held).meta_mut().resource_version = Some(rv);
        }
        self.index.update(None, Some(&held));
        self.objects.restore(key, held);
        if out.is_some() {
            self.generation += 1;
            self.after_change(key, None);
        }
        out
    }

    /// `modify` for a controller writing the status of the Deployment or ReplicaSet it is
    /// syncing: the write queues what depends on the object (a ReplicaSet's Deployment), not the
    /// object itself, unless it already was. Its next sync would find the same status and
    /// nothing to do, as a real controller's sync on its own status update does.
    pub(crate) fn write_own_status(
        &mut self,
        key: &ObjKey,
        f: impl FnOnce(&mut Cluster, &mut Object) -> Option<()>,
    ) {
        let id = (key.namespace.clone(), key.name.clone());
        fn queue(c: &mut Cluster, kind: Kind) -> Option<&mut BTreeSet<(String, String)>> {
            match kind {
                Kind::Deployment => Some(&mut c.dirty_deployments),
                Kind::ReplicaSet => Some(&mut c.dirty_replicasets),
                _ => None,
            }
        }
        let queued = queue(self, key.kind).is_none_or(|q| q.contains(&id));
        self.modify(key, f);
        if !queued {
            if let Some(q) = queue(self, key.kind) {
                q.remove(&id);
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &ObjKey) -> Option<Object> {
        let old = self.objects.remove(key)?;
        self.applied.remove(key);
        self.index.update(Some(&old), None);
        self.generation += 1;
        self.after_change(key, Some(&old));
        self.release_resources(&old);
        Some(Arc::unwrap_or_clone(old))
    }

    fn release_resources(&mut self, obj: &Object) {
        if obj.kind() == Kind::Pod {
            // capacity freed: pods waiting for a node get another chance
            let waiting = std::mem::take(&mut self.unschedulable);
            self.unscheduled.extend(waiting);
        }
        match obj {
            Object::Service(svc) => self.release_service(svc),
            Object::Pod(p) => {
                self.runtime
                    .remove(&(obj.namespace().to_string(), obj.name().to_string()));
                let _ = p;
            }
            _ => {}
        }
    }

    fn release_service(&mut self, svc: &Service) {
        let Some(spec) = &svc.spec else { return };
        for ip in spec.cluster_ips.iter().flatten() {
            if let Some(v) = parse_ip(ip) {
                self.ips.release(v);
            }
        }
        for p in spec.ports.iter().flatten() {
            if let Some(np) = p.node_port.filter(|n| *n > 0) {
                self.ports.release(np as u16);
            }
        }
        if let Some(hc) = spec.health_check_node_port.filter(|n| *n > 0) {
            self.ports.release(hc as u16);
        }
    }

    /// Marks what a change to `key` affects. `old` is the object before the change (the store
    /// holds the new one).
    fn after_change(&mut self, key: &ObjKey, old: Option<&Object>) {
        // borrowed: most writes (a controller's slices) need no copy of them
        let (ns, name) = (key.namespace.as_str(), key.name.as_str());
        let owned = || (ns.to_string(), name.to_string());
        let new = self.objects.get(key);
        match key.kind {
            Kind::Deployment => {
                self.dirty_deployments.insert(owned());
            }
            Kind::DaemonSet => {
                self.dirty_daemonsets.insert(owned());
            }
            Kind::ReplicaSet => {
                self.dirty_replicasets.insert(owned());
                let owners: Vec<String> = [old, new]
                    .into_iter()
                    .flatten()
                    .flat_map(|o| o.meta().owner_references.iter().flatten())
                    .filter(|r| r.kind == "Deployment")
                    .map(|r| r.name.clone())
                    .collect();
                for o in owners {
                    self.dirty_deployments.insert((ns.to_string(), o));
                }
            }
            Kind::Pod => {
                let mut owners: Vec<String> = Vec::new();
                let mut ds_owners: Vec<String> = Vec::new();
                let mut services: BTreeSet<String> = BTreeSet::new();
                let owned_by = |o: &Object, kind: &str| -> Vec<String> {
                    o.meta()
                        .owner_references
                        .iter()
                        .flatten()
                        .filter(|r| r.kind == kind)
                        .map(|r| r.name.clone())
                        .collect()
                };
                for o in [old, new].into_iter().flatten() {
                    owners.extend(owned_by(o, "ReplicaSet"));
                    ds_owners.extend(owned_by(o, "DaemonSet"));
                    let Some(labels) = o.meta().labels.as_ref() else {
                        continue;
                    };
                    for svc_name in self.index.services_for_labels(ns, labels.iter()) {
                        if let Some(Object::Service(s)) = self.get(Kind::Service, ns, &svc_name) {
                            let sel = s.spec.as_ref().and_then(|sp| sp.selector.as_ref());
                            if sel.is_some_and(|sel| {
                                !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v))
                            }) {
                                services.insert(svc_name);
                            }
                        }
                    }
                }
                for o in owners {
                    self.dirty_replicasets.insert((ns.to_string(), o));
                }
                for o in ds_owners {
                    self.dirty_daemonsets.insert((ns.to_string(), o));
                }
                for s in services {
                    self.dirty_services.insert((ns.to_string(), s));
                }
            }
            Kind::Service => {
                self.service_generation += 1;
                self.service_env_items.remove(&owned());
                self.proxy.service_changed(ns, name);
                self.dirty_services.insert(owned());
            }
            Kind::EndpointSlice => {
                // the Services the slice was and is labelled for, in name order (borrowed: a
                // controller writes thousands of slices)
                fn svc_of(o: &Object) -> Option<&str> {
                    o.meta()
                        .labels
                        .as_ref()
                        .and_then(|l| l.get(crate::sim::endpoints::SERVICE_NAME_LABEL))
                        .map(String::as_str)
                }
                let (was, is) = (old.and_then(svc_of), new.and_then(svc_of));
                let (first, second) = if is < was { (is, was) } else { (was, is) };
                let second = second.filter(|s| Some(*s) != first);
                for s in [first, second].into_iter().flatten() {
                    self.proxy.service_changed(ns, s);
                }
            }
            Kind::ConfigMap if ns == "kube-system" && name == "kube-proxy" => {
                self.reload_proxy_config();
                self.proxy.all_changed();
            }
            Kind::Endpoints => {
                // user-written Endpoints of selector-less Services are mirrored into slices; the
                // controller's own writes need no reaction
                let user_written = |o: &Object| {
                    !o.meta().annotations.as_ref().is_some_and(|a| {
                        a.contains_key("endpoints.kubernetes.io/last-change-trigger-time")
                    })
                };
                if [old, new].into_iter().flatten().any(user_written) {
                    self.dirty_services.insert(owned());
                }
            }
            Kind::Node => {
                self.proxy.all_changed();
                // endpoints carry their node's zone: no endpoints digest holds after a node change
                self.endpoint_fingerprints.clear();
                // a node change can move every DaemonSet's pods and every Service's topology
                let daemonsets = self.all_names(Kind::DaemonSet);
                self.dirty_daemonsets.extend(daemonsets);
                let services = self.all_names(Kind::Service);
                self.dirty_services.extend(services);
            }
            _ => {}
        }
    }

    /// Fills the fields the apiserver sets on create.
    fn fill_system_fields(&mut self, obj: &mut Object) {
        let uid = names::uid(&mut self.rng);
        let now = self.now.to_time();
        let m = obj.meta_mut();
        m.uid = Some(uid);
        m.creation_timestamp = Some(now);
        if matches!(
            obj.kind(),
            Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet
        ) {
            obj.meta_mut().generation = Some(1);
        }
        if let Object::Namespace(ns) = obj {
            let status = ns.status.get_or_insert_with(Default::default);
            status.phase = Some("Active".into());
            let labels = ns.metadata.labels.get_or_insert_with(Default::default);
            labels.insert(
                "kubernetes.io/metadata.name".into(),
                ns.metadata.name.clone().unwrap_or_default(),
            );
        }
    }

    fn apply_defaults(obj: &mut Object) {
        match obj {
            Object::Service(s) => defaults::service(s),
            Object::Deployment(d) => defaults::deployment(d),
            Object::ReplicaSet(r) => defaults::replica_set(r),
            Object::DaemonSet(d) => defaults::daemon_set(d),
            Object::Pod(p) => {
                defaults::pod_spec(p.spec.get_or_insert_with(Default::default));
            }
            _ => {}
        }
    }

    /// `POST`: create an object. Fills `generateName`, defaults, allocates, validates, stores, and
    /// lets the controllers react.
    pub fn create(&mut self, obj: Object) -> Result<Object, ApiError> {
        let key = self.create_key(obj)?;
        stored(self, &key)
    }

    /// `create` without handing back a copy of the stored object.
    pub(crate) fn create_key(&mut self, mut obj: Object) -> Result<ObjKey, ApiError> {
        let kind = obj.kind();
        if kind.namespaced() {
            let ns = obj.namespace().to_string();
            let ns = if ns.is_empty() {
                "default".to_string()
            } else {
                ns
            };
            obj.meta_mut().namespace = Some(ns.clone());
            if !self.namespace_exists(&ns) {
                return Err(ApiError::namespace_not_found(&ns));
            }
        }
        if obj.name().is_empty() {
            if let Some(base) = obj.meta().generate_name.clone().filter(|g| !g.is_empty()) {
                let name = names::generate_name(&mut self.rng, &base);
                obj.meta_mut().name = Some(name);
            }
        }
        let key = ObjKey::of(&obj);
        if !obj.name().is_empty() && self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(kind, obj.name()));
        }
        // PrepareForCreate: the status a client sends is not the client's to set
        match &mut obj {
            Object::Service(s) => s.status = None,
            Object::Pod(p) => p.status = None,
            Object::Deployment(d) => d.status = None,
            Object::ReplicaSet(r) => r.status = None,
            Object::DaemonSet(d) => d.status = None,
            _ => {}
        }
        Self::apply_defaults(&mut obj);
        if let Object::Pod(p) = &mut obj {
            crate::sim::kubelet::admit_pod(p, &mut self.rng);
        }
        // The Service registry allocates before it validates (BeginCreate precedes BeforeCreate).
        let mut allocated = None;
        if let Object::Service(svc) = &mut obj {
            normalize_cluster_ips(svc, None);
            match self.allocate_service(svc, None) {
                Ok(a) => allocated = Some(a),
                Err(errs) => return Err(ApiError::invalid(kind, obj.name(), errs)),
            }
        }
        let errs = validate::on_create(&obj);
        if !errs.is_empty() {
            if let Some(a) = allocated {
                self.rollback(a);
            }
            return Err(ApiError::invalid(kind, obj.name(), errs));
        }
        self.fill_system_fields(&mut obj);
        if let Object::Pod(p) = &mut obj {
            if p.status.is_none() {
                p.status = Some(k8s_openapi::api::core::v1::PodStatus {
                    phase: Some("Pending".into()),
                    qos_class: Some(crate::sim::kubelet::qos_class(p)),
                    ..Default::default()
                });
            }
            // the scheduler picks a node; the kubelet starts pods that already have one
            self.unscheduled
                .insert((key.namespace.clone(), key.name.clone()));
        }
        self.put(obj);
        self.reconcile();
        Ok(key)
    }

    /// `PUT`: replace an existing object. Returns the stored object and whether anything changed.
    pub fn update(&mut self, obj: Object) -> Result<(Object, bool), ApiError> {
        let (key, changed) = self.update_key(obj)?;
        Ok((stored(self, &key)?, changed))
    }

    /// `update` without handing back a copy of the stored object.
    pub(crate) fn update_key(&mut self, mut obj: Object) -> Result<(ObjKey, bool), ApiError> {
        let kind = obj.kind();
        if kind.namespaced() && obj.namespace().is_empty() {
            obj.meta_mut().namespace = Some("default".into());
        }
        let key = ObjKey::of(&obj);
        let Some(old) = self.objects.get(&key).cloned() else {
            return Err(ApiError::not_found(kind, obj.name()));
        };
        // system fields are the server's
        {
            let om = old.meta().clone();
            let m = obj.meta_mut();
            m.uid = om.uid;
            m.creation_timestamp = om.creation_timestamp;
            m.resource_version = om.resource_version;
            m.generation = om.generation;
            m.deletion_timestamp = om.deletion_timestamp;
            m.deletion_grace_period_seconds = om.deletion_grace_period_seconds;
            if m.owner_references.is_none() {
                m.owner_references = om.owner_references;
            }
        }
        Self::apply_defaults(&mut obj);
        let mut allocated = None;
        if let (Object::Service(new), Object::Service(old_svc)) = (&mut obj, &old) {
            // PrepareForUpdate: status only changes through the status subresource
            new.status = old_svc.status.clone();
            patch_allocated_values(new, old_svc);
            normalize_cluster_ips(new, Some(old_svc));
            match self.allocate_service(new, Some(old_svc)) {
                Ok(a) => allocated = Some(a),
                Err(errs) => return Err(ApiError::invalid(kind, obj.name(), errs)),
            }
        }
        let errs = match (&obj, &old) {
            (Object::Service(n), Object::Service(o)) => validate::service_update(n, o),
            (Object::Deployment(n), Object::Deployment(o)) => validate::deployment_update(n, o),
            (Object::Pod(n), Object::Pod(o)) => pod_update_errors(n, o),
            _ => validate::on_create(&obj),
        };
        if !errs.is_empty() {
            if let Some(a) = allocated {
                self.rollback(a);
            }
            return Err(ApiError::invalid(kind, obj.name(), errs));
        }
        // keep status the controllers own
        match (&mut obj, &old) {
            (Object::Pod(n), Object::Pod(o)) => n.status = o.status.clone(),
            (Object::Deployment(n), Object::Deployment(o)) => n.status = o.status.clone(),
            (Object::ReplicaSet(n), Object::ReplicaSet(o)) => n.status = o.status.clone(),
            (Object::DaemonSet(n), Object::DaemonSet(o)) => n.status = o.status.clone(),
            (Object::Namespace(n), Object::Namespace(o)) => n.status = o.status.clone(),
            (Object::Node(n), Object::Node(o)) => n.status = o.status.clone(),
            _ => {}
        }
        if let (Object::Namespace(n), _) = (&mut obj, &old) {
            let labels = n.metadata.labels.get_or_insert_with(Default::default);
            labels.insert(
                "kubernetes.io/metadata.name".into(),
                n.metadata.name.clone().unwrap_or_default(),
            );
        }
        let changed = obj != old;
        if !changed {
            return Ok((key, false));
        }
        let spec_changed = spec_of(&obj) != spec_of(&old);
        if spec_changed && matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::DaemonSet) {
            obj.meta_mut().generation = Some(old.meta().generation.unwrap_or(1) + 1);
        }
        if let (Object::Service(o), Some(a)) = (&old, allocated) {
            self.release_dropped(o, &obj, a);
        }
        self.put(obj);
        self.reconcile();
        Ok((key, true))
    }

    /// `kubectl apply` of one decoded object, given the JSON the user wrote (the "modified" config).
    pub fn apply(
        &mut self,
        obj: Object,
        modified: &Value,
    ) -> Result<(ObjKey, ApplyResult), ApiError> {
        let kind = obj.kind();
        // copied only to be changed
        let mut modified = std::borrow::Cow::Borrowed(modified);
        let ns = if kind.namespaced() {
            let ns = obj.namespace();
            if ns.is_empty() {
                "default".to_string()
            } else {
                ns.to_string()
            }
        } else {
            String::new()
        };
        if kind.namespaced() && modified["metadata"]["namespace"].as_str() != Some(ns.as_str()) {
            modified.to_mut()["metadata"]["namespace"] = Value::String(ns.clone());
        }
        let annotation = last_applied_annotation(&modified);
        let key = ObjKey::new(kind, &ns, obj.name());
        match self.objects.get(&key).cloned() {
            None => {
                let mut obj = obj;
                if kind.namespaced() {
                    obj.meta_mut().namespace = Some(ns);
                }
                obj.meta_mut()
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(LAST_APPLIED.into(), annotation);
                let created = self.create_key(obj)?;
                Ok((created, ApplyResult::Created))
            }
            Some(current) => {
                let cur_value = current.to_value();
                let original: Option<Value> = current
                    .meta()
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(LAST_APPLIED))
                    .and_then(|s| serde_json::from_str(s).ok());
                // kubectl's "modified" carries the new annotation itself
                modified.to_mut()["metadata"]["annotations"][LAST_APPLIED] =
                    Value::String(annotation);
                let merged = three_way(&cur_value, &modified, original.as_ref());
                let booted = kind == Kind::Node && self.booted_nodes.remove(obj.name());
                // the three-way patch is empty: kubectl says "unchanged" without a write
                if merged == cur_value && !booted {
                    return Ok((key, ApplyResult::Unchanged));
                }
                // the input was checked strictly already; the merge only adds known fields
                let new_obj = crate::sim::object::decode_known(&merged)
                    .map_err(|e| ApiError::bad_request(format!("{e:?}")))?;
                let (stored, changed) = self.update_key(new_obj)?;
                let result = if booted {
                    ApplyResult::Created
                } else if changed {
                    ApplyResult::Configured
                } else {
                    ApplyResult::Unchanged
                };
                Ok((stored, result))
            }
        }
    }

    /// Whether applying `sent` (the object's JSON as the manifest has it) to `key` would be a
    /// no-op: the object's last apply sent the same JSON and nothing changed the object since
    /// (same resourceVersion), so kubectl's three-way patch is empty. The lab's editor applies
    /// its whole text after every edit; this keeps the untouched objects' cost to a comparison.
    pub fn apply_is_noop(&self, key: &ObjKey, sent: &Value) -> bool {
        self.applied.get(key).is_some_and(|(last, rv)| {
            self.objects
                .get(key)
                .and_then(|o| o.meta().resource_version.as_deref())
                == Some(rv.as_str())
                && **last == *sent
        })
    }

    /// Notes what an apply to `key` sent, with the resourceVersion the object has after it
    /// (and after the controllers it woke).
    pub fn remember_apply(&mut self, key: ObjKey, sent: Arc<Value>) {
        if let Some(rv) = self
            .objects
            .get(&key)
            .and_then(|o| o.meta().resource_version.clone())
        {
            self.applied.insert(key, (sent, rv));
        }
    }

    /// `DELETE`. Pods are deleted gracefully (`grace` seconds, default the pod's own); other
    /// objects go at once and their dependants are collected.
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
    ) -> Result<Object, ApiError> {
        let key = ObjKey::new(kind, namespace, name);
        let Some(obj) = self.objects.get(&key).cloned() else {
            return Err(ApiError::not_found(kind, name));
        };
        if namespace == "default"
            && name == "kubernetes"
            && matches!(kind, Kind::Service | Kind::Endpoints | Kind::EndpointSlice)
        {
            let next_sync = SimTime((self.now.0 / 10_000 + 1) * 10_000);
            self.add_timer(next_sync, Timer::ApiserverServiceSync);
        }
        match obj {
            Object::Pod(mut pod) => {
                let default_grace = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.termination_grace_period_seconds)
                    .unwrap_or(30);
                let grace = grace.unwrap_or(default_grace).max(0);
                let unscheduled = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_ref())
                    .is_none();
                if grace == 0 || unscheduled {
                    self.remove(&key);
                } else if pod.metadata.deletion_timestamp.is_none() {
                    pod.metadata.deletion_timestamp =
                        Some(self.now.plus_secs(grace as u64).to_time());
                    pod.metadata.deletion_grace_period_seconds = Some(grace);
                    let names: Vec<String> = pod
                        .spec
                        .iter()
                        .flat_map(|s| s.containers.iter())
                        .map(|c| c.name.clone())
                        .collect();
                    for cname in names {
                        self.record_event(
                            crate::sim::controllers::Involved(namespace, "Pod", name, Some(&cname)),
                            "Normal",
                            "Killing",
                            "kubelet",
                            &format!("Stopping container {cname}"),
                        );
                    }
                    let uid = pod.metadata.uid.clone().unwrap_or_default();
                    self.put(Object::Pod(pod.clone()));
                    self.add_timer(
                        self.now.plus_secs(grace as u64),
                        Timer::PodGone {
                            namespace: namespace.to_string(),
                            name: name.to_string(),
                            uid,
                        },
                    );
                }
                self.reconcile();
                Ok(self.objects.get(&key).cloned().unwrap_or(Object::Pod(pod)))
            }
            Object::Namespace(_) => {
                if matches!(
                    name,
                    "default" | "kube-system" | "kube-public" | "kube-node-lease"
                ) {
                    return Err(ApiError::forbidden(format!(
                        "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
                    )));
                }
                let keys: Vec<ObjKey> = self.objects.keys_in_namespace(name);
                for k in keys {
                    if k.kind == Kind::Pod {
                        let _ = self.delete(Kind::Pod, &k.namespace, &k.name, Some(0));
                    } else {
                        self.remove(&k);
                    }
                }
                let old = self
                    .remove(&key)
                    .ok_or_else(|| ApiError::not_found(kind, name))?;
                self.reconcile();
                Ok(old)
            }
            other => {
                let uid = other.meta().uid.clone().unwrap_or_default();
                self.remove(&key);
                self.collect_garbage(&uid, namespace);
                self.reconcile();
                Ok(other)
            }
        }
    }

    /// Deletes (in the background, as the garbage collector does) everything owned by `uid`.
    pub(crate) fn collect_garbage(&mut self, uid: &str, namespace: &str) {
        let owned: Vec<ObjKey> = self
            .index
            .owned
            .get(uid)
            .map(|set| {
                set.iter()
                    .filter(|(_, n, _)| n == namespace)
                    .map(|(k, n, name)| ObjKey::new(*k, n, name))
                    .collect()
            })
            .unwrap_or_default();
        for k in owned {
            if k.kind == Kind::Pod {
                let _ = self.delete(Kind::Pod, &k.namespace, &k.name, None);
            } else if let Some(o) = self.remove(&k) {
                let child_uid = o.meta().uid.clone().unwrap_or_default();
                self.collect_garbage(&child_uid, namespace);
            }
        }
    }

    /// (namespace, name) of every stored object of a kind.
    fn all_names(&self, kind: Kind) -> Vec<(String, String)> {
        self.list(kind, None)
            .iter()
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect()
    }

    pub(crate) fn add_timer(&mut self, at: SimTime, t: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq, t));
    }

    /// Advances simulated time, firing every timer that falls due, in order.
    pub fn advance(&mut self, ms: u64) {
        let target = SimTime(self.now.0.saturating_add(ms));
        while let Some(first) = self.timers.iter().next().cloned() {
            if first.0 > target {
                break;
            }
            self.timers.remove(&first);
            if first.0 > self.now {
                self.now = first.0;
            }
            self.fire(first.2);
            self.reconcile();
        }
        self.now = target;
    }

    /// The time of the next pending timer, if any (for the browser's frame loop).
    pub fn next_timer(&self) -> Option<SimTime> {
        self.timers.iter().next().map(|t| t.0)
    }

    fn fire(&mut self, t: Timer) {
        match t {
            Timer::PodGone {
                namespace,
                name,
                uid,
            } => {
                let key = ObjKey::new(Kind::Pod, &namespace, &name);
                if self
                    .objects
                    .get(&key)
                    .is_some_and(|o| o.meta().uid.as_deref() == Some(uid.as_str()))
                {
                    self.remove(&key);
                }
            }
            Timer::PodReadinessCheck { namespace, name } => {
                crate::sim::kubelet::update_readiness(self, &namespace, &name);
            }
            Timer::ApiserverServiceSync => crate::sim::bootstrap::ensure_apiserver_service(self),
        }
    }

    // ---- Service allocation ---------------------------------------------------------------

    /// Allocates ClusterIPs, NodePorts and the health-check port. On error nothing stays allocated.
    fn allocate_service(
        &mut self,
        svc: &mut Service,
        old: Option<&Service>,
    ) -> Result<Allocation, Vec<FieldError>> {
        let mut a = Allocation::default();
        init_ip_family_fields(svc, old)?;
        let spec = svc.spec.get_or_insert_with(Default::default);
        let ty = spec.type_.clone().unwrap_or_default();
        let old_spec = old.and_then(|o| o.spec.clone()).unwrap_or_default();
        let headless = spec.cluster_ip.as_deref() == Some("None");
        if ty != "ExternalName" && !headless {
            let old_ips = old_spec.cluster_ips.clone().unwrap_or_default();
            match spec.cluster_ip.clone().filter(|c| !c.is_empty()) {
                Some(ip) if old_ips.first() == Some(&ip) => {}
                Some(ip) => {
                    if let Some(v) = parse_ip(&ip) {
                        if let Err(e) = self.ips.allocate(v) {
                            let ips = spec.cluster_ips.clone().unwrap_or_else(|| vec![ip.clone()]);
                            return Err(vec![FieldError::invalid(
                                "spec.clusterIPs",
                                serde_json::json!(ips),
                                &format!("failed to allocate IP {}: {e}", ip_to_string(v)),
                            )]);
                        }
                        a.ips.push(v);
                        spec.cluster_ip = Some(ip_to_string(v));
                        spec.cluster_ips = Some(vec![ip_to_string(v)]);
                    }
                }
                None => match self.ips.allocate_next(&mut self.rng) {
                    Ok(v) => {
                        a.ips.push(v);
                        spec.cluster_ip = Some(ip_to_string(v));
                        spec.cluster_ips = Some(vec![ip_to_string(v)]);
                    }
                    Err(e) => {
                        return Err(vec![FieldError::internal(
                            "spec.clusterIPs",
                            &format!("failed to allocate a serviceIP: {e}"),
                        )])
                    }
                },
            }
            if spec.ip_families.as_ref().is_none_or(|f| f.is_empty()) {
                spec.ip_families = Some(vec!["IPv4".into()]);
            }
            if spec.ip_family_policy.is_none() {
                spec.ip_family_policy = Some("SingleStack".into());
            }
        } else if headless {
            spec.cluster_ips = Some(vec!["None".into()]);
            if spec.ip_families.as_ref().is_none_or(|f| f.is_empty()) {
                spec.ip_families = Some(vec!["IPv4".into()]);
            }
            if spec.ip_family_policy.is_none() {
                spec.ip_family_policy = Some("SingleStack".into());
            }
        }
        let wants_node_ports = ty == "NodePort"
            || (ty == "LoadBalancer" && spec.allocate_load_balancer_node_ports.unwrap_or(true));
        if wants_node_ports {
            let old_ports: Vec<i32> = old_spec
                .ports
                .iter()
                .flatten()
                .filter_map(|p| p.node_port)
                .filter(|n| *n > 0)
                .collect();
            let mut by_port: BTreeMap<i32, i32> = BTreeMap::new();
            let ports = spec.ports.get_or_insert_with(Vec::new);
            for (i, port) in ports.iter().enumerate() {
                let np = port.node_port.unwrap_or(0);
                if np != 0 {
                    if old_ports.contains(&np) || a.ports.contains(&(np as u16)) {
                        by_port.insert(port.port, np);
                        continue;
                    }
                    if let Err(e) = self.ports.allocate(np) {
                        self.rollback(std::mem::take(&mut a));
                        return Err(vec![FieldError::invalid(
                            format!("spec.ports[{i}].nodePort"),
                            np,
                            &e,
                        )]);
                    }
                    a.ports.push(np as u16);
                    by_port.insert(port.port, np);
                }
            }
            for p in ports.iter_mut() {
                if p.node_port.unwrap_or(0) != 0 {
                    continue;
                }
                // the same port number with another protocol shares its nodePort
                if let Some(np) = by_port.get(&p.port) {
                    p.node_port = Some(*np);
                    continue;
                }
                match self.ports.allocate_next(&mut self.rng) {
                    Ok(np) => {
                        a.ports.push(np);
                        p.node_port = Some(np as i32);
                        by_port.insert(p.port, np as i32);
                    }
                    Err(e) => {
                        self.rollback(std::mem::take(&mut a));
                        return Err(vec![FieldError::internal(
                            "spec.ports",
                            &format!("failed to allocate a nodePort: {e}"),
                        )]);
                    }
                }
            }
        }
        let needs_hc =
            ty == "LoadBalancer" && spec.external_traffic_policy.as_deref() == Some("Local");
        if needs_hc {
            let hc = spec.health_check_node_port.unwrap_or(0);
            let old_hc = old_spec.health_check_node_port.unwrap_or(0);
            if hc == 0 {
                if old_hc != 0 {
                    spec.health_check_node_port = Some(old_hc);
                } else {
                    match self.ports.allocate_next(&mut self.rng) {
                        Ok(p) => {
                            a.ports.push(p);
                            spec.health_check_node_port = Some(p as i32);
                        }
                        Err(e) => {
                            self.rollback(std::mem::take(&mut a));
                            return Err(vec![FieldError::internal(
                                "spec.healthCheckNodePort",
                                &format!("failed to allocate a nodePort: {e}"),
                            )]);
                        }
                    }
                }
            } else if hc != old_hc {
                if let Err(e) = self.ports.allocate(hc) {
                    self.rollback(std::mem::take(&mut a));
                    return Err(vec![FieldError::invalid(
                        "spec.healthCheckNodePort",
                        hc,
                        &e,
                    )]);
                }
                a.ports.push(hc as u16);
            }
        }
        Ok(a)
    }

    fn rollback(&mut self, a: Allocation) {
        for ip in a.ips {
            self.ips.release(ip);
        }
        for p in a.ports {
            self.ports.release(p);
        }
    }

    /// After an update, releases what the old Service held and the new one no longer uses.
    fn release_dropped(&mut self, old: &Service, new: &Object, _a: Allocation) {
        let Object::Service(new) = new else { return };
        let ns = new.spec.clone().unwrap_or_default();
        let os = old.spec.clone().unwrap_or_default();
        let new_ips = ns.cluster_ips.clone().unwrap_or_default();
        for ip in os.cluster_ips.iter().flatten() {
            if !new_ips.contains(ip) {
                if let Some(v) = parse_ip(ip) {
                    self.ips.release(v);
                }
            }
        }
        let mut new_ports: Vec<i32> = ns
            .ports
            .iter()
            .flatten()
            .filter_map(|p| p.node_port)
            .collect();
        new_ports.extend(ns.health_check_node_port);
        let mut old_ports: Vec<i32> = os
            .ports
            .iter()
            .flatten()
            .filter_map(|p| p.node_port)
            .collect();
        old_ports.extend(os.health_check_node_port);
        for p in old_ports {
            if p > 0 && !new_ports.contains(&p) {
                self.ports.release(p as u16);
            }
        }
    }
}

#[derive(Debug, Default)]
struct Allocation {
    ips: Vec<u32>,
    ports: Vec<u16>,
}

/// The stored object, or NotFound when a controller removed it in the same reconcile.
fn stored(c: &Cluster, key: &ObjKey) -> Result<Object, ApiError> {
    c.objects
        .get(key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(key.kind, &key.name))
}

/// The apiserver keeps `clusterIP` and `clusterIPs` in step (`PrepareForCreate`).
/// `initIPFamilyFields` (pkg/registry/core/service/storage/alloc.go) on this single-stack IPv4
/// cluster: the default policy (an update keeps the old one; a headless Service without a
/// selector defaults to RequireDualStack and is given both families, as upstream allows only
/// it), families inferred from the ClusterIPs, and what a single-stack cluster refuses.
fn init_ip_family_fields(svc: &mut Service, old: Option<&Service>) -> Result<(), Vec<FieldError>> {
    const CONFIGURED: &str = "IPv4";
    let family_of = |ip: &str| if ip.contains(':') { "IPv6" } else { "IPv4" };
    let old_spec = old.and_then(|o| o.spec.as_ref());
    let Some(spec) = svc.spec.as_mut() else {
        return Ok(());
    };
    if spec.type_.as_deref() == Some("ExternalName") {
        return Ok(());
    }
    let headless_selectorless = spec.cluster_ip.as_deref() == Some("None")
        && spec.selector.as_ref().is_none_or(|s| s.is_empty());
    if spec.ip_family_policy.is_none() {
        spec.ip_family_policy = Some(match old_spec.and_then(|o| o.ip_family_policy.clone()) {
            Some(p) => p,
            None if headless_selectorless => "RequireDualStack".into(),
            None => "SingleStack".into(),
        });
    }
    // the loose pre-validation: the rest can rely on well-formed fields
    let pre = crate::sim::validate::cluster_ips_related(svc);
    if !pre.is_empty() {
        return Err(pre);
    }
    let Some(spec) = svc.spec.as_mut() else {
        return Ok(());
    };
    let policy = spec.ip_family_policy.clone().unwrap_or_default();
    let mut errs = Vec::new();
    if let Some(o) = old_spec {
        let ips = spec.cluster_ips.clone().unwrap_or_default();
        let fams = spec.ip_families.clone().unwrap_or_default();
        let old_ips = o.cluster_ips.clone().unwrap_or_default();
        let old_fams = o.ip_families.clone().unwrap_or_default();
        if policy == "SingleStack" {
            // ClusterIPs[0] is immutable: dropping the secondary is clear intent
            if ips == old_ips && ips.len() > 1 {
                spec.cluster_ips = Some(ips[..1].to_vec());
            }
            if fams == old_fams && fams.len() > 1 {
                spec.ip_families = Some(fams[..1].to_vec());
            }
        } else {
            if !ips.is_empty() && ips.len() < old_ips.len() {
                errs.push(FieldError::invalid(
                    "spec.ipFamilyPolicy",
                    policy.as_str(),
                    "must be 'SingleStack' to release the secondary cluster IP",
                ));
            }
            if !fams.is_empty() && fams.len() < old_fams.len() {
                errs.push(FieldError::invalid(
                    "spec.ipFamilyPolicy",
                    policy.as_str(),
                    "must be 'SingleStack' to release the secondary IP family",
                ));
            }
        }
    }
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    if policy == "SingleStack" {
        if ips.len() == 2 {
            errs.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                policy.as_str(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
            ));
        }
        if spec.ip_families.as_ref().is_some_and(|f| f.len() == 2) {
            errs.push(FieldError::invalid(
                "spec.ipFamilyPolicy",
                policy.as_str(),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
            ));
        }
    }
    // families inferred from the ClusterIPs the user gave
    for (i, ip) in ips.iter().enumerate() {
        if ip == "None" {
            break;
        }
        let fams = spec.ip_families.get_or_insert_with(Vec::new);
        if i >= fams.len() {
            let fam = family_of(ip);
            if fam != CONFIGURED {
                errs.push(FieldError::invalid(
                    format!("spec.clusterIPs[{i}]"),
                    serde_json::json!(ips),
                    &format!("{fam} is not configured on this cluster"),
                ));
            } else {
                fams.push(fam.into());
            }
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    if headless_selectorless {
        let fams = spec.ip_families.get_or_insert_with(Vec::new);
        if fams.is_empty() {
            fams.push(CONFIGURED.into());
        }
        // the one case a single-stack cluster accepts two families
        if fams.len() < 2 && policy != "SingleStack" {
            let other = if fams[0] == "IPv4" { "IPv6" } else { "IPv4" };
            fams.push(other.into());
        }
        return Ok(());
    }
    if policy == "RequireDualStack" {
        errs.push(FieldError::invalid(
            "spec.ipFamilyPolicy",
            policy.as_str(),
            "this cluster is not configured for dual-stack services",
        ));
    }
    for (i, fam) in spec.ip_families.iter().flatten().enumerate() {
        if fam != CONFIGURED {
            errs.push(FieldError::invalid(
                format!("spec.ipFamilies[{i}]"),
                fam.as_str(),
                "not configured on this cluster",
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let fams = spec.ip_families.get_or_insert_with(Vec::new);
    if fams.is_empty() {
        fams.push(CONFIGURED.into());
    }
    Ok(())
}

/// `normalizeClusterIPs`: what the user meant with the linked `clusterIP` and `clusterIPs`.
fn normalize_cluster_ips(svc: &mut Service, old: Option<&Service>) {
    let Some(spec) = svc.spec.as_mut() else {
        return;
    };
    let cip = spec.cluster_ip.clone().unwrap_or_default();
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    match old.and_then(|o| o.spec.as_ref()) {
        None => {
            if !cip.is_empty() && ips.is_empty() {
                spec.cluster_ips = Some(vec![cip]);
            } else if cip.is_empty() && !ips.is_empty() {
                spec.cluster_ip = Some(ips[0].clone());
            }
        }
        Some(os) => {
            let old_cip = os.cluster_ip.clone().unwrap_or_default();
            let old_ips = os.cluster_ips.clone().unwrap_or_default();
            // an old client patching something else left clusterIPs out
            if !old_ips.is_empty() && ips.is_empty() && old_cip == cip {
                spec.cluster_ips = Some(old_ips.clone());
            }
            let same_ips = spec.cluster_ips.clone().unwrap_or_default() == old_ips;
            if old_cip != cip {
                // clearing clusterIP clears the same clusterIPs on the user's behalf
                if !old_cip.is_empty() && cip.is_empty() && same_ips {
                    spec.cluster_ips = None;
                }
                // a changed clusterIP with the same clusterIPs: the plural follows
                if same_ips {
                    spec.cluster_ips = Some(vec![cip.clone()]);
                }
            }
        }
    }
    if spec.type_.as_deref() == Some("ExternalName") && spec.cluster_ip.as_deref() == Some("") {
        spec.cluster_ip = None;
    }
}

/// `patchAllocatedValues`: values the user left out of an update keep what the server allocated,
/// and `dropTypeDependentFields`: values the new type cannot have are cleared.
fn patch_allocated_values(new: &mut Service, old: &Service) {
    let os = old.spec.clone().unwrap_or_default();
    let ns = new.spec.get_or_insert_with(Default::default);
    let new_ty = ns.type_.clone().unwrap_or_default();
    let old_ty = os.type_.clone().unwrap_or_default();
    let needs_ip = |ty: &str| ty != "ExternalName";
    if needs_ip(&new_ty) && needs_ip(&old_ty) {
        if ns.cluster_ip.as_deref().unwrap_or("").is_empty() {
            ns.cluster_ip = os.cluster_ip.clone();
        }
        if ns.cluster_ips.as_ref().is_none_or(|c| c.is_empty()) {
            ns.cluster_ips = os.cluster_ips.clone();
        }
        if ns.ip_families.is_none() {
            ns.ip_families = os.ip_families.clone();
        }
        if ns.ip_family_policy.is_none() {
            ns.ip_family_policy = os.ip_family_policy.clone();
        }
    }
    if new_ty == "ExternalName" && old_ty != "ExternalName" {
        if ns.cluster_ip == os.cluster_ip {
            ns.cluster_ip = None;
            ns.cluster_ips = None;
        }
        if ns.ip_families == os.ip_families {
            ns.ip_families = None;
        }
        if ns.ip_family_policy == os.ip_family_policy {
            ns.ip_family_policy = None;
        }
    }
    let new_has_np = new_ty == "NodePort" || new_ty == "LoadBalancer";
    let old_has_np = old_ty == "NodePort" || old_ty == "LoadBalancer";
    if new_has_np && old_has_np {
        for p in ns.ports.iter_mut().flatten() {
            if p.node_port.unwrap_or(0) == 0 {
                let found = os
                    .ports
                    .iter()
                    .flatten()
                    .find(|o| o.port == p.port && o.protocol == p.protocol);
                if let Some(o) = found {
                    p.node_port = o.node_port;
                }
            }
        }
    }
    if !new_has_np && old_has_np {
        // dropTypeDependentFields: nodePorts the user did not change are released
        for p in ns.ports.iter_mut().flatten() {
            let same =
                os.ports.iter().flatten().any(|o| {
                    o.port == p.port && o.node_port == p.node_port && p.node_port.is_some()
                });
            if same {
                p.node_port = None;
            }
        }
    }
    let old_hc = validate::needs_health_check(old);
    let new_hc = new_ty == "LoadBalancer" && ns.external_traffic_policy.as_deref() == Some("Local");
    if old_hc && new_hc && ns.health_check_node_port.unwrap_or(0) == 0 {
        ns.health_check_node_port = os.health_check_node_port;
    }
    if old_hc && !new_hc && ns.health_check_node_port == os.health_check_node_port {
        ns.health_check_node_port = None;
    }
    let has_external_ips = ns.external_ips.as_ref().is_some_and(|e| !e.is_empty());
    let accessible = new_ty == "NodePort"
        || new_ty == "LoadBalancer"
        || (new_ty == "ClusterIP" && has_external_ips);
    if !accessible && ns.external_traffic_policy == os.external_traffic_policy {
        ns.external_traffic_policy = None;
    }
    if new_ty != "LoadBalancer"
        && ns.allocate_load_balancer_node_ports == os.allocate_load_balancer_node_ports
    {
        ns.allocate_load_balancer_node_ports = None;
    }
}

fn spec_of(o: &Object) -> Value {
    o.to_value().get("spec").cloned().unwrap_or(Value::Null)
}

fn pod_update_errors(new: &Pod, old: &Pod) -> Vec<FieldError> {
    let mut errs = validate::object_meta(Kind::Pod, &new.metadata);
    let mut ns = new.spec.clone().unwrap_or_default();
    let os = old.spec.clone().unwrap_or_default();
    // only images, activeDeadlineSeconds and tolerations may change
    for (i, c) in ns.containers.iter_mut().enumerate() {
        if let Some(oc) = os.containers.get(i) {
            c.image = oc.image.clone();
        }
    }
    ns.active_deadline_seconds = os.active_deadline_seconds;
    ns.tolerations = os.tolerations.clone();
    if ns != os {
        errs.push(FieldError::forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ));
    }
    errs
}

/// The annotation `kubectl apply` stores: the configuration as JSON (keys sorted), without the
/// annotation itself, with an `annotations` map present, ending in a newline.
pub fn last_applied_annotation(modified: &Value) -> String {
    use serde::ser::{SerializeMap, Serializer};
    /// the object with its metadata replaced, written without copying the rest of it
    struct WithMeta<'a>(&'a serde_json::Map<String, Value>, &'a Value);
    impl serde::Serialize for WithMeta<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                m.serialize_entry(k, if k == "metadata" { self.1 } else { v })?;
            }
            m.end()
        }
    }
    let mut out = match modified {
        Value::Object(obj) if obj.get("metadata").is_some_and(Value::is_object) => {
            let mut meta = obj["metadata"].clone();
            if let Some(meta) = meta.as_object_mut() {
                let ann = meta
                    .entry("annotations")
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Some(a) = ann.as_object_mut() {
                    a.remove(LAST_APPLIED);
                } else {
                    *ann = Value::Object(Default::default());
                }
            }
            // serde_json writes into bytes directly (`format!` goes through `Display`, a char
            // at a time)
            serde_json::to_string(&WithMeta(obj, &meta))
        }
        other => serde_json::to_string(other),
    }
    .unwrap_or_default();
    out.push('\n');
    out
}

impl Cluster {
    /// Five characters of the apiserver's random alphabet (for names kubectl makes up).
    pub fn random_suffix(&mut self) -> String {
        names::random_string(&mut self.rng, 5)
    }

    pub fn booted_nodes_contains(&self, name: &str) -> bool {
        self.booted_nodes.contains(name)
    }

    /// Runs `f` with the controllers paused (many writes, one reconcile afterwards), then lets them
    /// catch up. The browser applies a whole edited manifest this way.
    pub fn with_controllers_paused<T>(&mut self, f: impl FnOnce(&mut Cluster) -> T) -> T {
        let was = self.reconciling;
        self.reconciling = true;
        let r = f(self);
        self.reconciling = was;
        r
    }

    /// Lets every controller catch up with what changed.
    pub fn reconcile_now(&mut self) {
        self.reconcile();
    }

    /// Marks every Service for an endpoints resync (what a controller restart does).
    pub fn resync_all_services(&mut self) {
        let all: Vec<(String, String)> = self
            .list(Kind::Service, None)
            .iter()
            .map(|s| (s.namespace().to_string(), s.name().to_string()))
            .collect();
        self.dirty_services.extend(all);
    }

    /// `PUT …/status`: only the status of `obj` is taken, as a controller would write it.
    pub fn update_status(&mut self, obj: Object) -> Result<(Object, bool), ApiError> {
        let key = ObjKey::of(&obj);
        let key = if key.kind.namespaced() && key.namespace.is_empty() {
            ObjKey::new(key.kind, "default", &key.name)
        } else {
            key
        };
        let Some(mut cur) = self.objects.get(&key).cloned() else {
            return Err(ApiError::not_found(key.kind, &key.name));
        };
        match (&mut cur, obj) {
            (Object::Service(c), Object::Service(mut n)) => {
                if let Some(st) = n.status.as_mut() {
                    for ing in st
                        .load_balancer
                        .iter_mut()
                        .flat_map(|l| l.ingress.iter_mut().flatten())
                    {
                        if ing.ip.as_deref().is_some_and(|ip| !ip.is_empty())
                            && ing.ip_mode.is_none()
                        {
                            ing.ip_mode = Some("VIP".into());
                        }
                    }
                }
                c.status = n.status;
            }
            (Object::Pod(c), Object::Pod(n)) => c.status = n.status,
            (Object::Deployment(c), Object::Deployment(n)) => c.status = n.status,
            (Object::ReplicaSet(c), Object::ReplicaSet(n)) => c.status = n.status,
            (Object::Node(c), Object::Node(n)) => c.status = n.status,
            (Object::Namespace(c), Object::Namespace(n)) => c.status = n.status,
            (_, other) => {
                return Err(ApiError::not_found(other.kind(), other.name()));
            }
        }
        let before = self.objects.get(&key).cloned();
        if before.as_ref() == Some(&cur) {
            return Ok((cur, false));
        }
        self.put(cur);
        if key.kind == Kind::Pod {
            crate::sim::kubelet::update_readiness(self, &key.namespace, &key.name);
        }
        self.reconcile();
        Ok((stored(self, &key)?, true))
    }
}
