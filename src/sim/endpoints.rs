//! The EndpointSlice controller, the legacy Endpoints controller and the EndpointSlice mirroring
//! controller (spec §2), run for one Service at a time.

use crate::sim::cluster::{Cluster, ObjKey};
use crate::sim::index::PodFacts;
use crate::sim::names;
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort as CoreEndpointPort, EndpointSubset, Endpoints, ObjectReference,
    Service, ServicePort,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
pub const CONTROLLER: &str = "endpointslice-controller.k8s.io";
pub const MIRROR_CONTROLLER: &str = "endpointslicemirroring-controller.k8s.io";
const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// Ports, ready addresses and not-ready addresses of one legacy Endpoints subset.
type Subset = (
    Vec<CoreEndpointPort>,
    Vec<EndpointAddress>,
    Vec<EndpointAddress>,
);

/// The pods a Service selector matches, in name order, found through the label index.
fn selected_pods<'a>(
    c: &'a Cluster,
    ns: &str,
    selector: &BTreeMap<String, String>,
) -> Vec<&'a PodFacts> {
    let postings: Vec<&BTreeMap<String, Arc<PodFacts>>> = selector
        .iter()
        .map(|(k, v)| c.index.pods_with_label(ns, k, v))
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default();
    let Some(smallest) = postings.iter().min_by_key(|p| p.len()) else {
        return Vec::new();
    };
    smallest
        .iter()
        .filter(|(name, _)| {
            postings
                .iter()
                .all(|p| std::ptr::eq(*p, *smallest) || p.contains_key(*name))
        })
        .map(|(_, f)| &**f)
        .collect()
}

/// `FindPort`: a named targetPort resolves per pod (name and protocol must match).
fn find_port(pod: &PodFacts, sp: &ServicePort) -> Option<i32> {
    match &sp.target_port {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => {
            let proto = sp.protocol.as_deref().unwrap_or("TCP");
            pod.named_ports
                .iter()
                .find(|(n, p, _)| n == name && p == proto)
                .map(|(_, _, port)| *port)
        }
    }
}

/// What a pod contributes to its Service's endpoints, read from its facts once: the slice
/// endpoint and the legacy address are both made from it (no endpoint is built to be read back
/// for the address).
struct PodEndpoint {
    ip: String,
    hostname: Option<String>,
    node_name: Option<String>,
    target_ref: ObjectReference,
    zone: Option<String>,
    /// `ready` of the slice endpoint
    ready: bool,
    serving: bool,
    terminating: bool,
}

impl PodEndpoint {
    fn of(c: &Cluster, pod: &PodFacts, svc: &Service, publish: bool) -> Option<PodEndpoint> {
        let ip = pod.ip()?.to_string();
        let serving = pod.ready;
        let terminating = pod.terminating;
        Some(PodEndpoint {
            ip,
            hostname: hostname_for(pod, svc),
            node_name: pod.node().map(String::from),
            target_ref: target_ref(pod),
            zone: pod.node().and_then(|n| c.index.node_zone.get(n).cloned()),
            ready: publish || (serving && !terminating),
            serving,
            terminating,
        })
    }

    fn address(&self) -> EndpointAddress {
        EndpointAddress {
            ip: self.ip.clone(),
            hostname: self.hostname.clone(),
            node_name: self.node_name.clone(),
            target_ref: Some(self.target_ref.clone()),
        }
    }

    fn into_endpoint(self) -> Endpoint {
        Endpoint {
            addresses: vec![self.ip],
            conditions: Some(EndpointConditions {
                ready: Some(self.ready),
                serving: Some(self.serving),
                terminating: Some(self.terminating),
            }),
            hostname: self.hostname,
            node_name: self.node_name,
            target_ref: Some(self.target_ref),
            zone: self.zone,
            ..Default::default()
        }
    }
}

fn hostname_for(pod: &PodFacts, svc: &Service) -> Option<String> {
    let h = pod.hostname().filter(|h| !h.is_empty())?;
    (pod.subdomain() == svc.metadata.name.as_deref()
        && Some(pod.namespace()) == svc.metadata.namespace.as_deref())
    .then(|| h.to_string())
}

fn target_ref(pod: &PodFacts) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        name: Some(pod.name().to_string()),
        namespace: Some(pod.namespace().to_string()),
        uid: pod.uid().map(String::from),
        ..Default::default()
    }
}

fn owner_ref(svc: &Service) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: "Service".into(),
        name: svc.metadata.name.clone().unwrap_or_default(),
        uid: svc.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn slices_of(c: &Cluster, ns: &str, svc_name: &str, manager: &str) -> Vec<EndpointSlice> {
    let Some(names) = c.index.slices_for(ns, svc_name) else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|n| match c.get(Kind::EndpointSlice, ns, n) {
            Some(Object::EndpointSlice(s))
                if s.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(MANAGED_BY))
                    .map(String::as_str)
                    == Some(manager) =>
            {
                Some(s.clone())
            }
            _ => None,
        })
        .collect()
}

fn slice_labels(svc: &Service, manager: &str) -> BTreeMap<String, String> {
    let mut labels: BTreeMap<String, String> = svc
        .metadata
        .labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| {
            k != SERVICE_NAME_LABEL && k != MANAGED_BY && k != "service.kubernetes.io/headless"
        })
        .collect();
    labels.insert(
        SERVICE_NAME_LABEL.into(),
        svc.metadata.name.clone().unwrap_or_default(),
    );
    labels.insert(MANAGED_BY.into(), manager.into());
    if crate::sim::validate::is_headless(svc) {
        labels.insert("service.kubernetes.io/headless".into(), String::new());
    }
    labels
}

fn delete_all(c: &mut Cluster, slices: &[EndpointSlice]) {
    for s in slices {
        c.remove(&ObjKey::new(
            Kind::EndpointSlice,
            s.metadata.namespace.as_deref().unwrap_or(""),
            s.metadata.name.as_deref().unwrap_or(""),
        ));
    }
}

/// Syncs the endpoints of one Service: slices, the legacy Endpoints object, and the mirror of a
/// user-written Endpoints for a selector-less Service.
#[inline(never)]
pub fn sync_service(c: &mut Cluster, ns: &str, name: &str) {
    // held shared while the slices are written
    let held = c.get_shared(Kind::Service, ns, name);
    // what the inputs were when this Service was last synced: unchanged inputs and untouched
    // outputs mean a resync has nothing to do. The selected pods are looked up once, for the
    // digest and for the plan.
    let mut inputs = None;
    let mut planned = None;
    if let Some(Object::Service(s)) = held.as_deref() {
        let sel = s
            .spec
            .as_ref()
            .filter(|sp| sp.type_.as_deref() != Some("ExternalName"))
            .and_then(|sp| sp.selector.as_ref());
        if let Some(sel) = sel.filter(|s| !s.is_empty()) {
            let pods = selected_pods(c, ns, sel);
            let fp = inputs_fingerprint(s, &pods);
            // the outputs are read only when the inputs are what they were
            let last = c.endpoint_fingerprints.get(ns).and_then(|m| m.get(name));
            if last.is_some_and(|&(i, o)| i == fp && o == outputs_fingerprint(c, ns, name)) {
                return;
            }
            inputs = Some(fp);
            if !(ns == "default" && name == "kubernetes") {
                planned = Some(plan_endpoints(c, s, &pods));
            }
        }
    }
    if let Some(m) = c.endpoint_fingerprints.get_mut(ns) {
        m.remove(name);
    }
    let svc = match held.as_deref() {
        Some(Object::Service(s)) => s,
        _ => {
            // the Service is gone: its controller-made objects go with it
            let slices: Vec<EndpointSlice> = [CONTROLLER, MIRROR_CONTROLLER]
                .iter()
                .flat_map(|m| slices_of(c, ns, name, m))
                .collect();
            delete_all(c, &slices);
            if let Some(Object::Endpoints(e)) = c.get(Kind::Endpoints, ns, name).cloned() {
                if e.metadata
                    .annotations
                    .as_ref()
                    .is_some_and(|a| a.contains_key(TRIGGER_TIME))
                {
                    c.remove(&ObjKey::new(Kind::Endpoints, ns, name));
                }
            }
            return;
        }
    };
    if ns == "default" && name == "kubernetes" {
        return; // maintained by the apiserver itself
    }
    let Some((groups, subs, labels)) = planned else {
        // no selector (or an ExternalName): user-written Endpoints are mirrored
        let external_name =
            svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName");
        let own = slices_of(c, ns, name, CONTROLLER);
        delete_all(c, &own);
        if let Some(Object::Endpoints(e)) = c.get(Kind::Endpoints, ns, name).cloned() {
            let managed = e
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(TRIGGER_TIME));
            if managed {
                c.remove(&ObjKey::new(Kind::Endpoints, ns, name));
            } else if !external_name {
                mirror(c, svc, &e);
            }
        } else {
            let mirrored = slices_of(c, ns, name, MIRROR_CONTROLLER);
            delete_all(c, &mirrored);
        }
        return;
    };
    reconcile_slices(c, svc, groups);
    let existing = match c.get(Kind::Endpoints, ns, name) {
        Some(Object::Endpoints(e)) => Some(e),
        _ => None,
    };
    let same = existing.is_some_and(|e| {
        e.subsets.as_deref().unwrap_or_default() == subs.as_slice()
            && e.metadata
                .labels
                .as_ref()
                .map_or(labels.is_empty(), |l| *l == labels)
    });
    if !same {
        let existing = existing.cloned();
        let mut annotations = BTreeMap::new();
        annotations.insert(TRIGGER_TIME.to_string(), trigger_time(c));
        let mut e = existing.unwrap_or_else(|| Endpoints {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                uid: Some(names::uid(&mut c.rng)),
                creation_timestamp: Some(c.now.to_time()),
                ..Default::default()
            },
            subsets: None,
        });
        e.metadata.labels = Some(labels).filter(|l| !l.is_empty());
        e.metadata.annotations = Some(annotations);
        e.subsets = Some(subs).filter(|s| !s.is_empty());
        c.put(Object::Endpoints(e));
    }
    if let Some(inputs) = inputs {
        // the writes above changed only the outputs
        let fp = (inputs, outputs_fingerprint(c, ns, name));
        crate::sim::index::with_slot(&mut c.endpoint_fingerprints, ns, |by_name| {
            by_name.insert(name.to_string(), fp)
        });
    }
}

fn trigger_time(c: &mut Cluster) -> String {
    match &c.trigger_time {
        Some((at, text)) if *at == c.now => text.clone(),
        _ => {
            let text = c.now.rfc3339();
            c.trigger_time = Some((c.now, text.clone()));
            text
        }
    }
}

/// One slice group: its ports and its endpoints.
type SliceGroup = (Vec<EndpointPort>, Vec<Endpoint>);

/// A port's place in the controllers' order, (name, port, protocol, appProtocol), read from the
/// port itself: ordering groups and subsets this way needs no copy of their names.
fn slice_port_key(p: &EndpointPort) -> (&str, i32, &str, Option<&str>) {
    (
        p.name.as_deref().unwrap_or(""),
        p.port.unwrap_or(0),
        p.protocol.as_deref().unwrap_or(""),
        p.app_protocol.as_deref(),
    )
}

fn core_port_key(p: &CoreEndpointPort) -> (&str, i32, &str, Option<&str>) {
    (
        p.name.as_deref().unwrap_or(""),
        p.port,
        p.protocol.as_deref().unwrap_or(""),
        p.app_protocol.as_deref(),
    )
}

/// What the Service's endpoints should be, computed without copying any pod: the slice groups,
/// the legacy Endpoints subsets and the labels of the legacy object.
fn plan_endpoints(
    c: &Cluster,
    svc: &Service,
    pods: &[&PodFacts],
) -> (
    Vec<SliceGroup>,
    Vec<EndpointSubset>,
    BTreeMap<String, String>,
) {
    let spec = svc.spec.as_ref();
    let ports: &[ServicePort] = spec.and_then(|s| s.ports.as_deref()).unwrap_or_default();
    let publish = spec
        .and_then(|s| s.publish_not_ready_addresses)
        .unwrap_or(false);
    // Pods are grouped by what each Service port resolved to for them (a port number or
    // none): with numeric targetPorts every pod resolves alike, and comparing a few integers
    // per pod is far cheaper than building and comparing the (name, port, protocol) key. The
    // groups are put in that key's order afterwards, as a map keyed by it would hold them.
    let mut groups: Vec<(Vec<Option<i32>>, SliceGroup)> = Vec::new();
    let mut subsets: Vec<(Vec<Option<i32>>, Subset)> = Vec::new();
    let mut resolved: Vec<Option<i32>> = Vec::with_capacity(ports.len());
    // in address order, the order slices keep their endpoints in: sorting the endpoints later
    // then finds them in place instead of swapping ~350-byte structs (ties keep name order)
    let mut by_ip: Vec<&PodFacts> = pods.to_vec();
    crate::sim::order::sort_by(&mut by_ip, |a, b| a.ip().cmp(&b.ip()));
    let total = by_ip.len();
    for (i, p) in by_ip.into_iter().enumerate() {
        // a group's lists are sized for every pod still to come: exact for the usual one group,
        // where growing them by doubling copied each ~350-byte endpoint about twice
        let remaining = total - i;
        if p.terminal || p.ip().is_none() {
            continue;
        }
        let Some(ep) = PodEndpoint::of(c, p, svc, publish) else {
            continue;
        };
        resolved.clear();
        resolved.extend(ports.iter().map(|sp| find_port(p, sp)));
        let resolves_some = resolved.iter().any(Option::is_some) || ports.is_empty();
        // legacy Endpoints: ready and not-ready addresses, repacked by port set; terminating
        // pods only with publishNotReadyAddresses
        if (!ep.terminating || publish) && resolves_some {
            let at = match subsets.iter().position(|(k, _)| *k == resolved) {
                Some(at) => at,
                None => {
                    let mut sorted: Vec<CoreEndpointPort> = ports
                        .iter()
                        .zip(&resolved)
                        .filter_map(|(sp, port)| {
                            port.map(|port| CoreEndpointPort {
                                name: sp.name.clone().filter(|n| !n.is_empty()),
                                port,
                                protocol: Some(sp.protocol.clone().unwrap_or_default()),
                                app_protocol: sp.app_protocol.clone(),
                            })
                        })
                        .collect();
                    crate::sim::order::sort_by(&mut sorted, |a, b| {
                        core_port_key(a).cmp(&core_port_key(b))
                    });
                    let ready = Vec::with_capacity(remaining);
                    subsets.push((resolved.clone(), (sorted, ready, Vec::new())));
                    subsets.len() - 1
                }
            };
            let entry = &mut subsets[at].1;
            if publish || ep.serving {
                entry.1.push(ep.address());
            } else {
                entry.2.push(ep.address());
            }
        }
        let at = match groups.iter().position(|(k, _)| *k == resolved) {
            Some(at) => at,
            None => {
                let eports = ports
                    .iter()
                    .zip(&resolved)
                    .filter_map(|(sp, port)| {
                        port.map(|port| EndpointPort {
                            name: Some(sp.name.clone().unwrap_or_default()),
                            port: Some(port),
                            protocol: sp.protocol.clone(),
                            app_protocol: sp.app_protocol.clone(),
                        })
                    })
                    .collect();
                groups.push((resolved.clone(), (eports, Vec::with_capacity(remaining))));
                groups.len() - 1
            }
        };
        groups[at].1 .1.push(ep.into_endpoint());
    }
    // the groups and the subsets in their ports' order (the subsets' ports are sorted), then
    // the subsets by first address (stable)
    let mut groups: Vec<SliceGroup> = groups.into_iter().map(|(_, g)| g).collect();
    crate::sim::order::sort_by(&mut groups, |a, b| {
        a.0.iter()
            .map(slice_port_key)
            .cmp(b.0.iter().map(slice_port_key))
    });
    let mut subsets: Vec<Subset> = subsets.into_iter().map(|(_, sub)| sub).collect();
    crate::sim::order::sort_by(&mut subsets, |a, b| {
        a.0.iter()
            .map(core_port_key)
            .cmp(b.0.iter().map(core_port_key))
    });
    let mut subs: Vec<EndpointSubset> = subsets
        .into_iter()
        .map(|(ports, mut ready, mut not_ready)| {
            crate::sim::order::sort_by(&mut ready, |a, b| a.ip.cmp(&b.ip));
            crate::sim::order::sort_by(&mut not_ready, |a, b| a.ip.cmp(&b.ip));
            EndpointSubset {
                addresses: Some(ready).filter(|v| !v.is_empty()),
                not_ready_addresses: Some(not_ready).filter(|v| !v.is_empty()),
                ports: Some(ports).filter(|v| !v.is_empty()),
            }
        })
        .collect();
    crate::sim::order::sort_by(&mut subs, |a, b| {
        let first = |s: &EndpointSubset| {
            s.addresses
                .as_ref()
                .or(s.not_ready_addresses.as_ref())
                .and_then(|a| a.first())
                .map(|a| a.ip.clone())
        };
        first(a).cmp(&first(b))
    });
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    if crate::sim::validate::is_headless(svc) {
        labels.insert("service.kubernetes.io/headless".into(), String::new());
    }
    (groups, subs, labels)
}

fn reconcile_slices(c: &mut Cluster, svc: &Service, groups: Vec<SliceGroup>) {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let max = c.config.max_endpoints_per_slice.max(1);
    // existing slices are taken out of this list as they are reused, so nothing is copied twice
    let mut existing: Vec<Option<EndpointSlice>> = slices_of(c, &ns, &name, CONTROLLER)
        .into_iter()
        .map(Some)
        .collect();
    let existing_names: Vec<String> = existing
        .iter()
        .flatten()
        .map(|s| s.metadata.name.clone().unwrap_or_default())
        .collect();
    let labels = slice_labels(svc, CONTROLLER);
    let mut writes: Vec<EndpointSlice> = Vec::new();
    if groups.is_empty() {
        // exactly one placeholder slice without ports or endpoints
        let found = existing.iter_mut().find(|s| {
            s.as_ref().is_some_and(|s| {
                s.endpoints.is_empty() && s.ports.as_ref().is_none_or(|p| p.is_empty())
            })
        });
        let mut s = match found.and_then(Option::take) {
            Some(s) => s,
            None => new_slice(c, svc, &labels),
        };
        s.endpoints = Vec::new();
        s.ports = None;
        s.metadata.labels = Some(labels.clone());
        writes.push(s);
    }
    for (ports, mut endpoints) in groups {
        crate::sim::order::sort_by(&mut endpoints, |a, b| a.addresses.cmp(&b.addresses));
        let mut mine: Vec<EndpointSlice> = existing
            .iter_mut()
            .filter(|s| {
                s.as_ref()
                    .is_some_and(|s| s.ports.as_deref().unwrap_or_default() == ports.as_slice())
            })
            .filter_map(Option::take)
            .collect();
        crate::sim::order::sort_by(&mut mine, |a, b| a.metadata.name.cmp(&b.metadata.name));
        if mine.is_empty() {
            // a new group: its endpoints fill new slices in order, moved once
            let mut rest = endpoints;
            while !rest.is_empty() {
                let tail = if rest.len() > max {
                    rest.split_off(max)
                } else {
                    Vec::new()
                };
                let mut s = new_slice(c, svc, &labels);
                s.ports = Some(ports.clone());
                s.endpoints = std::mem::replace(&mut rest, tail);
                // (the first of several slices keeps the whole group's capacity otherwise)
                s.endpoints.shrink_to_fit();
                writes.push(s);
            }
            continue;
        }
        let mut pending: Vec<Option<Endpoint>> = endpoints.into_iter().map(Some).collect();
        // endpoints stay in the slice that already holds them
        for s in mine.iter_mut() {
            let mut next = Vec::with_capacity(s.endpoints.len());
            for old in &s.endpoints {
                if let Some(slot) = pending
                    .iter_mut()
                    .find(|e| e.as_ref().is_some_and(|e| e.addresses == old.addresses))
                {
                    next.extend(slot.take());
                }
            }
            s.endpoints = next;
        }
        for ep in pending.into_iter().flatten() {
            if let Some(s) = mine.iter_mut().find(|s| s.endpoints.len() < max) {
                s.endpoints.push(ep);
            } else {
                let mut s = new_slice(c, svc, &labels);
                s.ports = Some(ports.clone());
                s.endpoints.push(ep);
                mine.push(s);
            }
        }
        for mut s in mine {
            if s.endpoints.is_empty() {
                continue;
            }
            s.ports = Some(ports.clone());
            s.metadata.labels = Some(labels.clone());
            writes.push(s);
        }
    }
    for old in existing_names {
        if !writes
            .iter()
            .any(|w| w.metadata.name.as_deref() == Some(old.as_str()))
        {
            c.remove(&ObjKey::new(Kind::EndpointSlice, &ns, &old));
        }
    }
    let mut now: Option<String> = None;
    for mut s in writes {
        let unchanged = match c.get(
            Kind::EndpointSlice,
            &ns,
            s.metadata.name.as_deref().unwrap_or(""),
        ) {
            Some(Object::EndpointSlice(cur)) => {
                cur.endpoints == s.endpoints
                    && cur.ports == s.ports
                    && cur.metadata.labels == s.metadata.labels
            }
            _ => false,
        };
        if unchanged {
            continue;
        }
        let t = now.get_or_insert_with(|| trigger_time(c)).clone();
        s.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(TRIGGER_TIME.into(), t);
        s.metadata.generation = Some(s.metadata.generation.map_or(1, |g| g + 1));
        c.put(Object::EndpointSlice(s));
    }
}

/// A digest of everything a Service's endpoints depend on: the Service and its pods (a pod's
/// node is in its spec). Nodes are not in it: a node change forgets every digest instead
/// (`Cluster::after_change`), which keeps 100,000 node lookups out of a resync. With
/// [`outputs_fingerprint`] equal to last time, a resync has nothing to do.
fn inputs_fingerprint(svc: &Service, pods: &[&PodFacts]) -> u64 {
    let mut h = Fnv64::default();
    h.write(svc.metadata.resource_version.as_deref().unwrap_or(""));
    for p in pods {
        h.write(p.name());
        h.write(p.resource_version().unwrap_or(""));
    }
    h.0
}

/// A digest of the objects the controller wrote for the Service (by resourceVersion): a user's
/// edit to one of them makes the next resync write it back.
fn outputs_fingerprint(c: &Cluster, ns: &str, name: &str) -> u64 {
    let mut h = Fnv64::default();
    for s in c.index.slices_for(ns, name).into_iter().flatten() {
        h.write(s);
        if let Some(o) = c.get(Kind::EndpointSlice, ns, s) {
            h.write(o.meta().resource_version.as_deref().unwrap_or(""));
        }
    }
    if let Some(e) = c.get(Kind::Endpoints, ns, name) {
        h.write(e.meta().resource_version.as_deref().unwrap_or(""));
    }
    h.0
}

/// FNV-1a taken eight bytes at a time (each step still a bijection of the state, so inputs of
/// one length that differ in one word always differ): the digests are only compared with each
/// other, and a resync hashes every pod's name and version.
struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    fn step(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(0x0100_0000_01b3);
    }
    fn write(&mut self, s: &str) {
        let mut words = s.as_bytes().chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.step(u64::from_le_bytes(b));
        }
        let mut tail = [0u8; 8];
        let rest = words.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        // the length ends each string, so that "ab"+"c" and "a"+"bc" differ
        self.step(u64::from_le_bytes(tail));
        self.step(s.len() as u64);
    }
}

fn new_slice(c: &mut Cluster, svc: &Service, labels: &BTreeMap<String, String>) -> EndpointSlice {
    let name = svc.metadata.name.as_deref().unwrap_or_default();
    // a generateName prefix may end in a dash (ValidateEndpointSliceName with prefix=true)
    let mut prefix = String::with_capacity(name.len() + 1);
    prefix.push_str(name);
    if crate::sim::field::is_dns1123_subdomain(name).is_empty() && name.len() < 253 {
        prefix.push('-');
    }
    let mut slice_name = names::generate_name(&mut c.rng, &prefix);
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    while c.get(Kind::EndpointSlice, &ns, &slice_name).is_some() {
        slice_name = names::generate_name(&mut c.rng, &prefix);
    }
    EndpointSlice {
        address_type: "IPv4".into(),
        endpoints: Vec::new(),
        metadata: ObjectMeta {
            name: Some(slice_name),
            generate_name: Some(prefix),
            namespace: Some(ns),
            labels: Some(labels.clone()),
            owner_references: Some(vec![owner_ref(svc)]),
            uid: Some(names::uid(&mut c.rng)),
            creation_timestamp: Some(c.now.to_time()),
            ..Default::default()
        },
        ports: None,
    }
}

/// The mirroring controller: a user-written Endpoints of a selector-less Service becomes slices.
fn mirror(c: &mut Cluster, svc: &Service, e: &Endpoints) {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let labels = slice_labels(svc, MIRROR_CONTROLLER);
    let mut groups: BTreeMap<String, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
    for s in e.subsets.iter().flatten() {
        let ports: Vec<EndpointPort> = s
            .ports
            .iter()
            .flatten()
            .map(|p| EndpointPort {
                name: Some(p.name.clone().unwrap_or_default()),
                port: Some(p.port),
                protocol: p.protocol.clone().or_else(|| Some("TCP".into())),
                app_protocol: p.app_protocol.clone(),
            })
            .collect();
        let key = serde_json::to_string(&ports).unwrap_or_default();
        let entry = groups.entry(key).or_insert_with(|| (ports, Vec::new()));
        for (addrs, ready) in [(&s.addresses, true), (&s.not_ready_addresses, false)] {
            for a in addrs.iter().flatten() {
                entry.1.push(Endpoint {
                    addresses: vec![a.ip.clone()],
                    conditions: Some(EndpointConditions {
                        ready: Some(ready),
                        serving: None,
                        terminating: None,
                    }),
                    hostname: a.hostname.clone(),
                    node_name: a.node_name.clone(),
                    target_ref: a.target_ref.clone(),
                    ..Default::default()
                });
            }
        }
    }
    let existing = slices_of(c, &ns, &name, MIRROR_CONTROLLER);
    let mut keep = Vec::new();
    for (i, (_, (ports, endpoints))) in groups.into_iter().enumerate() {
        let mut s = existing
            .get(i)
            .cloned()
            .unwrap_or_else(|| new_slice(c, svc, &labels));
        s.metadata.labels = Some(labels.clone());
        s.ports = Some(ports);
        s.endpoints = endpoints;
        keep.push(s.metadata.name.clone().unwrap_or_default());
        let key = ObjKey::new(
            Kind::EndpointSlice,
            &ns,
            s.metadata.name.as_deref().unwrap_or(""),
        );
        if c.objects.get(&key) != Some(&Object::EndpointSlice(s.clone())) {
            c.put(Object::EndpointSlice(s));
        }
    }
    for old in existing {
        if !keep.contains(&old.metadata.name.clone().unwrap_or_default()) {
            c.remove(&ObjKey::new(
                Kind::EndpointSlice,
                &ns,
                old.metadata.name.as_deref().unwrap_or(""),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fnv64;

    fn digest(parts: &[&str]) -> u64 {
        let mut h = Fnv64::default();
        for p in parts {
            h.write(p);
        }
        h.0
    }

    /// Different inputs give different digests: other bytes, other splits into strings, other
    /// lengths of zero padding.
    #[test]
    fn digests_tell_inputs_apart() {
        let cases: [&[&str]; 9] = [
            &["pod-a", "101"],
            &["pod-a", "102"],
            &["pod-b", "101"],
            &["pod-a1", "01"],
            &["pod-a10", "1"],
            &["pod-a", "101", ""],
            &["a-very-long-pod-name-0", "7"],
            &["a-very-long-pod-name-1", "7"],
            &["\0"],
        ];
        let digests: Vec<u64> = cases.iter().map(|c| digest(c)).collect();
        for (i, a) in digests.iter().enumerate() {
            for (j, b) in digests.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "{:?} and {:?}", cases[i], cases[j]);
            }
        }
        assert_ne!(digest(&[""]), digest(&[]));
        assert_eq!(digest(&["pod-a", "101"]), digest(&["pod-a", "101"]));
    }
}
