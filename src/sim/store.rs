//! The object store: kind → namespace → name → object. Nested ordered maps give the apiserver's
//! list order and let lookups borrow `&str` keys, so reading an object allocates nothing.

use crate::sim::cluster::ObjKey;
use crate::sim::object::{Kind, Object};
use std::collections::BTreeMap;

/// Objects are boxed: an `Object` is over 2 KB, and B-tree nodes move their values around.
type Names = BTreeMap<String, Box<Object>>;

#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    kinds: BTreeMap<Kind, BTreeMap<String, Names>>,
}

impl Store {
    pub fn get_ref(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        let ns = if kind.namespaced() { namespace } else { "" };
        self.kinds.get(&kind)?.get(ns)?.get(name).map(|b| &**b)
    }
    pub fn get(&self, key: &ObjKey) -> Option<&Object> {
        self.get_ref(key.kind, &key.namespace, &key.name)
    }
    pub fn contains_key(&self, key: &ObjKey) -> bool {
        self.get(key).is_some()
    }
    pub fn insert(&mut self, key: ObjKey, obj: Object) -> Option<Object> {
        self.kinds
            .entry(key.kind)
            .or_default()
            .entry(key.namespace)
            .or_default()
            .insert(key.name, Box::new(obj))
            .map(|b| *b)
    }
    pub fn remove(&mut self, key: &ObjKey) -> Option<Object> {
        let by_ns = self.kinds.get_mut(&key.kind)?;
        let names = by_ns.get_mut(&key.namespace)?;
        let old = names.remove(&key.name).map(|b| *b);
        if names.is_empty() {
            by_ns.remove(&key.namespace);
        }
        old
    }
    /// Objects of one kind, in one namespace or all, in list order.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Object> {
        let Some(by_ns) = self.kinds.get(&kind) else {
            return Vec::new();
        };
        match namespace.filter(|_| kind.namespaced()) {
            Some(ns) => by_ns
                .get(ns)
                .map(|n| n.values().map(|b| &**b).collect())
                .unwrap_or_default(),
            None => by_ns
                .values()
                .flat_map(|n| n.values().map(|b| &**b))
                .collect(),
        }
    }
    pub fn values(&self) -> impl Iterator<Item = &Object> {
        self.kinds
            .values()
            .flat_map(|by_ns| by_ns.values().flat_map(|n| n.values().map(|b| &**b)))
    }
    /// Keys of every object in `namespace`.
    pub fn keys_in_namespace(&self, namespace: &str) -> Vec<ObjKey> {
        let mut out = Vec::new();
        for (kind, by_ns) in &self.kinds {
            if let Some(names) = by_ns.get(namespace) {
                out.extend(names.keys().map(|n| ObjKey::new(*kind, namespace, n)));
            }
        }
        out
    }
}
