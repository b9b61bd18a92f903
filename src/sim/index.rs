//! Secondary indexes over the store, kept up to date on every write, so that controllers do work
//! proportional to what changed instead of scanning every object. The maps that are only looked
//! up (never iterated, so their order cannot leak) are hash maps: with 10,000 Services a B-tree
//! lookup compares a dozen strings.

use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::Pod;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The well-known label kube-proxy's topology hints and EndpointSlice `zone` read.
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

/// (namespace, label key, label value) as one string: a label never holds a NUL, and one
/// string is one allocation per lookup instead of three.
type NsKeyValue = String;

fn ns_key_value(ns: &str, k: &str, v: &str) -> NsKeyValue {
    let mut key = String::with_capacity(ns.len() + k.len() + v.len() + 2);
    key.push_str(ns);
    key.push('\0');
    key.push_str(k);
    key.push('\0');
    key.push_str(v);
    key
}

/// What the endpoints controllers read of a pod, in one small record made when the pod is
/// written. A full reconcile of 10,000 Services reads 100,000 pods: looking each up in the
/// store and reading its scattered fields was half of that reconcile. The record's strings
/// sit in the record itself, so a pod costs about one cache miss instead of one per field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PodFacts {
    /// name, namespace, uid, resourceVersion, IP, node, hostname, subdomain, one after another
    text: Text,
    /// where each of them ends in `text`
    ends: [u32; 8],
    /// which of them are set (bit `i` for field `i`)
    set: u8,
    /// the Ready condition is True
    pub ready: bool,
    /// a deletionTimestamp is set
    pub terminating: bool,
    /// phase Succeeded or Failed
    pub terminal: bool,
    /// the named container ports (name, protocol, port): containers first, then restartable
    /// init containers (sidecars), the order `FindPort` searches
    pub named_ports: Vec<(String, String, i32)>,
}

/// The record's strings, inside the record when they fit (a pod's nearly always do): a full
/// reconcile of 100,000 pods then takes one cache miss per pod where a pointer to its strings
/// took two. Held as a string, not bytes: reading a field is then a slice, where checking the
/// bytes as UTF-8 on every read was a seventh of a large reconcile's instructions.
#[derive(Debug, Clone, PartialEq)]
enum Text {
    Inline(arrayvec::ArrayString<INLINE_TEXT>),
    Heap(Box<str>),
}

const INLINE_TEXT: usize = 120;

impl Text {
    fn new(s: &str) -> Text {
        match arrayvec::ArrayString::from(s) {
            Ok(a) => Text::Inline(a),
            Err(_) => Text::Heap(s.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Text::Inline(a) => a.as_str(),
            Text::Heap(s) => s,
        }
    }
}

impl PodFacts {
    pub fn of(p: &Pod) -> PodFacts {
        let spec = p.spec.as_ref();
        let sidecars = spec
            .and_then(|s| s.init_containers.as_deref())
            .unwrap_or_default()
            .iter()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"));
        let named_ports = spec
            .map(|s| s.containers.as_slice())
            .unwrap_or_default()
            .iter()
            .chain(sidecars)
            .flat_map(|c| c.ports.iter().flatten())
            .filter_map(|cp| {
                let name = cp.name.clone()?;
                let proto = cp.protocol.clone().unwrap_or_else(|| "TCP".into());
                Some((name, proto, cp.container_port))
            })
            .collect();
        let fields = [
            p.metadata.name.as_deref(),
            p.metadata.namespace.as_deref(),
            p.metadata.uid.as_deref(),
            p.metadata.resource_version.as_deref(),
            p.status.as_ref().and_then(|s| s.pod_ip.as_deref()),
            spec.and_then(|s| s.node_name.as_deref()),
            spec.and_then(|s| s.hostname.as_deref()),
            spec.and_then(|s| s.subdomain.as_deref()),
        ];
        let mut text = String::with_capacity(fields.iter().flatten().map(|f| f.len()).sum());
        let mut ends = [0u32; 8];
        let mut set = 0u8;
        for (i, f) in fields.iter().enumerate() {
            if let Some(f) = f {
                text.push_str(f);
                set |= 1 << i;
            }
            ends[i] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        PodFacts {
            text: Text::new(&text),
            ends,
            set,
            ready: crate::sim::kubelet::pod_is_ready(p),
            terminating: p.metadata.deletion_timestamp.is_some(),
            terminal: crate::sim::kubelet::pod_is_terminal(p),
            named_ports,
        }
    }

    fn field(&self, i: usize) -> Option<&str> {
        if self.set & (1 << i) == 0 {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.as_str().get(start..self.ends[i] as usize)
    }
    pub fn name(&self) -> &str {
        self.field(0).unwrap_or_default()
    }
    pub fn namespace(&self) -> &str {
        self.field(1).unwrap_or_default()
    }
    pub fn uid(&self) -> Option<&str> {
        self.field(2)
    }
    pub fn resource_version(&self) -> Option<&str> {
        self.field(3)
    }
    pub fn ip(&self) -> Option<&str> {
        self.field(4)
    }
    pub fn node(&self) -> Option<&str> {
        self.field(5)
    }
    pub fn hostname(&self) -> Option<&str> {
        self.field(6)
    }
    pub fn subdomain(&self) -> Option<&str> {
        self.field(7)
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Indexes {
    /// (namespace, label key, label value) → the pods so labelled, by name
    pub pods_by_label: FxHashMap<NsKeyValue, BTreeMap<String, Arc<PodFacts>>>,
    /// (namespace, selector key, selector value) → names of Services selecting it
    pub services_by_selector: FxHashMap<NsKeyValue, BTreeSet<String>>,
    /// controller owner's uid → (kind, namespace, name) of the objects it controls
    pub owned: FxHashMap<String, BTreeSet<(Kind, String, String)>>,
    /// node → number of non-terminal pods on it
    pub pods_on_node: BTreeMap<String, usize>,
    /// (owner uid, node) → pods of that owner on that node
    pub owner_on_node: BTreeMap<(String, String), usize>,
    /// node → pod IPs in use (host-network pods excluded)
    pub ips_on_node: BTreeMap<String, BTreeSet<String>>,
    /// how many pods the store holds
    pub pods: usize,
    /// pod IP → (namespace, name) of the running (not finished) pods that have it
    pub pods_by_ip: BTreeMap<u32, BTreeSet<(String, String)>>,
    /// node → its `topology.kubernetes.io/zone` label: every endpoint carries its pod's node's
    /// zone, and a lookup of the Node object plus a B-tree label search per pod was a tenth of
    /// a 10,000-Service reconcile
    pub node_zone: FxHashMap<String, String>,
    /// namespace → service name → names of EndpointSlices labelled for it (nested, so that a
    /// lookup borrows the names instead of copying them into a key)
    slices_by_service: FxHashMap<String, FxHashMap<String, BTreeSet<String>>>,
}

/// Runs `f` on the value under `key`, made (with its key copied) only when absent: the nested
/// indexes find their keys far more often than they gain one, and `entry` copies the key every
/// time.
pub(crate) fn with_slot<V: Default, R>(
    map: &mut FxHashMap<String, V>,
    key: &str,
    f: impl FnOnce(&mut V) -> R,
) -> R {
    match map.get_mut(key) {
        Some(v) => f(v),
        None => f(map.entry(key.to_string()).or_default()),
    }
}

impl Indexes {
    /// Removes what `old` contributed and adds what `new` contributes.
    pub fn update(&mut self, old: Option<&Object>, new: Option<&Object>) {
        if let Some(o) = old {
            self.apply(o, false);
        }
        if let Some(n) = new {
            self.apply(n, true);
        }
    }

    fn apply(&mut self, obj: &Object, add: bool) {
        // borrowed: most kinds index nothing but their owners, and most objects have none
        let ns = obj.namespace();
        let name = obj.name();
        for r in obj.meta().owner_references.iter().flatten() {
            set_op(
                self.owned.entry(r.uid.clone()).or_default(),
                (obj.kind(), ns.to_string(), name.to_string()),
                add,
            );
            if !add && self.owned.get(&r.uid).is_some_and(|s| s.is_empty()) {
                self.owned.remove(&r.uid);
            }
        }
        match obj {
            Object::Pod(p) => {
                if add {
                    self.pods += 1;
                } else {
                    self.pods = self.pods.saturating_sub(1);
                }
                let facts = (add && p.metadata.labels.as_ref().is_some_and(|l| !l.is_empty()))
                    .then(|| Arc::new(PodFacts::of(p)));
                for (k, v) in p.metadata.labels.iter().flatten() {
                    let key = ns_key_value(ns, k, v);
                    match &facts {
                        Some(f) => {
                            self.pods_by_label
                                .entry(key)
                                .or_default()
                                .insert(name.to_string(), f.clone());
                        }
                        None => {
                            if let Some(set) = self.pods_by_label.get_mut(&key) {
                                set.remove(name);
                                if set.is_empty() {
                                    self.pods_by_label.remove(&key);
                                }
                            }
                        }
                    }
                }
                let terminal = crate::sim::kubelet::pod_is_terminal(p);
                if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
                    if !terminal {
                        bump(&mut self.pods_on_node, node.clone(), add);
                        for r in p
                            .metadata
                            .owner_references
                            .iter()
                            .flatten()
                            .filter(|r| r.controller == Some(true))
                        {
                            bump(&mut self.owner_on_node, (r.uid.clone(), node.clone()), add);
                        }
                    }
                    let host_net = p
                        .spec
                        .as_ref()
                        .and_then(|s| s.host_network)
                        .unwrap_or(false);
                    if let Some(ip) = p
                        .status
                        .as_ref()
                        .and_then(|s| s.pod_ip.clone())
                        .filter(|_| !host_net)
                    {
                        if let Some(v) = crate::sim::net::parse_ip(&ip).filter(|_| !terminal) {
                            let set = self.pods_by_ip.entry(v).or_default();
                            set_op(set, (ns.to_string(), name.to_string()), add);
                            if set.is_empty() {
                                self.pods_by_ip.remove(&v);
                            }
                        }
                        let set = self.ips_on_node.entry(node.clone()).or_default();
                        set_op(set, ip, add);
                    }
                }
            }
            Object::Service(s) => {
                for (k, v) in s
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.selector.as_ref())
                    .into_iter()
                    .flatten()
                {
                    let key = ns_key_value(ns, k, v);
                    set_op(
                        self.services_by_selector.entry(key.clone()).or_default(),
                        name.to_string(),
                        add,
                    );
                    if !add
                        && self
                            .services_by_selector
                            .get(&key)
                            .is_some_and(|s| s.is_empty())
                    {
                        self.services_by_selector.remove(&key);
                    }
                }
            }
            Object::Node(n) => {
                let zone = n.metadata.labels.as_ref().and_then(|l| l.get(ZONE_LABEL));
                match zone {
                    Some(z) if add => {
                        self.node_zone.insert(name.to_string(), z.clone());
                    }
                    _ => {
                        self.node_zone.remove(name);
                    }
                }
            }
            Object::EndpointSlice(s) => {
                if let Some(svc) = s
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                {
                    if add {
                        with_slot(&mut self.slices_by_service, ns, |by_svc| {
                            with_slot(by_svc, svc, |names| names.insert(name.to_string()))
                        });
                    } else if let Some(by_svc) = self.slices_by_service.get_mut(ns) {
                        if let Some(set) = by_svc.get_mut(svc.as_str()) {
                            set.remove(name);
                            if set.is_empty() {
                                by_svc.remove(svc.as_str());
                            }
                        }
                        if by_svc.is_empty() {
                            self.slices_by_service.remove(ns);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The names of the EndpointSlices labelled for the Service `ns/svc`.
    pub fn slices_for(&self, ns: &str, svc: &str) -> Option<&BTreeSet<String>> {
        self.slices_by_service.get(ns)?.get(svc)
    }

    /// The pods in `ns` labelled `k=v`, by name.
    pub fn pods_with_label(
        &self,
        ns: &str,
        k: &str,
        v: &str,
    ) -> Option<&BTreeMap<String, Arc<PodFacts>>> {
        self.pods_by_label.get(&ns_key_value(ns, k, v))
    }

    /// Names of the Services in `ns` whose selector could match `labels` (to be confirmed).
    pub fn services_for_labels<'a>(
        &'a self,
        ns: &str,
        labels: impl Iterator<Item = (&'a String, &'a String)>,
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (k, v) in labels {
            if let Some(s) = self.services_by_selector.get(&ns_key_value(ns, k, v)) {
                out.extend(s.iter().cloned());
            }
        }
        out
    }
}

fn set_op<T: Ord>(set: &mut BTreeSet<T>, v: T, add: bool) {
    if add {
        set.insert(v);
    } else {
        set.remove(&v);
    }
}

fn bump<K: Ord>(map: &mut BTreeMap<K, usize>, k: K, add: bool) {
    if add {
        *map.entry(k).or_insert(0) += 1;
    } else if let Some(n) = map.get_mut(&k) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            map.remove(&k);
        }
    }
}
