//! The object store: kind → namespace → name → object. Lookups go through a hash map: with
//! 100,000 pods a B-tree search compares ~30 heap-allocated names, one cache miss each, and the
//! endpoints controller looks pods up by name all the time. A separate ordered set of names
//! gives the apiserver's list order. The hash map is never iterated, so its order cannot leak
//! into any output.

use crate::sim::cluster::ObjKey;
use crate::sim::object::{Kind, Object};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The objects of one kind in one namespace. Objects are shared, not copied: a Pod is ~100
/// allocations, a growing hash map moves its values, and a controller that reads an object while
/// it writes others holds it by a reference count instead of a deep copy (so does a cluster copy).
#[derive(Debug, Default)]
struct Names {
    /// (each name is held once, shared by the map and the ordered set)
    by_name: FxHashMap<Arc<str>, Arc<Object>>,
    order: BTreeSet<OrdName>,
}

/// A name in list order, with its first eight bytes as a number: inserting among 10,000 names
/// compares ~30 of them, and most comparisons end at that number instead of a call comparing
/// the strings. Ordered exactly as the names themselves (zero padding sorts a shorter name
/// first, and equal heads fall back to the whole names), so it is looked up by `&str`.
#[derive(Debug, Clone)]
struct OrdName {
    head: u64,
    name: Arc<str>,
}

impl OrdName {
    fn new(name: Arc<str>) -> OrdName {
        let mut b = [0u8; 8];
        let n = name.len().min(8);
        b[..n].copy_from_slice(&name.as_bytes()[..n]);
        OrdName {
            head: u64::from_be_bytes(b),
            name,
        }
    }
}

impl PartialEq for OrdName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for OrdName {}

impl PartialOrd for OrdName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrdName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.head
            .cmp(&other.head)
            .then_with(|| self.name.cmp(&other.name))
    }
}

impl std::borrow::Borrow<str> for OrdName {
    fn borrow(&self) -> &str {
        &self.name
    }
}

/// A deep copy, in name order, so that objects listed together also sit together in memory
/// (sharing them would keep the order they were written in, scattered among everything else
/// written meanwhile: a full endpoints reconcile of 100,000 pods took a quarter longer).
impl Clone for Names {
    fn clone(&self) -> Self {
        let mut by_name = FxHashMap::default();
        by_name.reserve(self.by_name.len());
        for n in &self.order {
            if let Some(o) = self.by_name.get(&*n.name) {
                by_name.insert(n.name.clone(), Arc::new(Object::clone(o)));
            }
        }
        Names {
            by_name,
            order: self.order.clone(),
        }
    }
}

impl Names {
    fn iter(&self) -> impl Iterator<Item = &Object> {
        self.order
            .iter()
            .filter_map(|n| self.by_name.get(&*n.name).map(|b| &**b))
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Store {
    kinds: BTreeMap<Kind, BTreeMap<String, Names>>,
}

impl Store {
    pub fn get_ref(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.get_shared(kind, namespace, name).map(|b| &**b)
    }
    /// The stored object itself, to hold while the store changes.
    pub fn get_shared(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Arc<Object>> {
        let ns = if kind.namespaced() { namespace } else { "" };
        self.kinds.get(&kind)?.get(ns)?.by_name.get(name)
    }
    pub fn get(&self, key: &ObjKey) -> Option<&Object> {
        self.get_ref(key.kind, &key.namespace, &key.name)
    }
    pub fn contains_key(&self, key: &ObjKey) -> bool {
        self.get(key).is_some()
    }
    /// Stores `obj` under `key`, answering what it replaced. The key is borrowed: a replaced
    /// object's names are already held, and a new one's are copied once each.
    /// The stored object is answered too, for the indexes to read without a second walk down
    /// the kinds and namespaces.
    pub fn insert(
        &mut self,
        key: &ObjKey,
        obj: Object,
    ) -> (Option<Arc<Object>>, Option<&Arc<Object>>) {
        let by_ns = self.kinds.entry(key.kind).or_default();
        if !by_ns.contains_key(key.namespace.as_str()) {
            by_ns.insert(key.namespace.clone(), Names::default());
        }
        let Some(names) = by_ns.get_mut(key.namespace.as_str()) else {
            return (None, None); // (inserted just above)
        };
        let name = key.name.as_str();
        let old = match names.by_name.get_mut(name) {
            Some(slot) => Some(std::mem::replace(slot, Arc::new(obj))),
            None => {
                let shared: Arc<str> = Arc::from(name);
                names.order.insert(OrdName::new(shared.clone()));
                names.by_name.insert(shared, Arc::new(obj));
                None
            }
        };
        (old, names.by_name.get(name))
    }
    pub fn remove(&mut self, key: &ObjKey) -> Option<Arc<Object>> {
        let by_ns = self.kinds.get_mut(&key.kind)?;
        let names = by_ns.get_mut(&key.namespace)?;
        let old = names.by_name.remove(key.name.as_str());
        names.order.remove(key.name.as_str());
        if names.order.is_empty() {
            by_ns.remove(&key.namespace);
        }
        old
    }
    /// Takes an object out to be rewritten in place (`restore` puts it back); its place in
    /// the list order is kept, and listings skip it meanwhile.
    pub fn take(&mut self, key: &ObjKey) -> Option<Arc<Object>> {
        self.kinds
            .get_mut(&key.kind)?
            .get_mut(&key.namespace)?
            .by_name
            .remove(key.name.as_str())
    }
    /// Puts back what `take` took.
    pub fn restore(&mut self, key: &ObjKey, obj: Arc<Object>) {
        if let Some(names) = self
            .kinds
            .get_mut(&key.kind)
            .and_then(|k| k.get_mut(&key.namespace))
        {
            // the name is still in the ordered set (`take` left it there)
            let name = names
                .order
                .get(key.name.as_str())
                .map(|n| n.name.clone())
                .unwrap_or_else(|| Arc::from(key.name.as_str()));
            names.by_name.insert(name, obj);
        }
    }
    /// Objects of one kind, in one namespace or all, in list order.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Object> {
        let Some(by_ns) = self.kinds.get(&kind) else {
            return Vec::new();
        };
        match namespace.filter(|_| kind.namespaced()) {
            Some(ns) => by_ns
                .get(ns)
                .map(|n| n.iter().collect())
                .unwrap_or_default(),
            None => by_ns.values().flat_map(Names::iter).collect(),
        }
    }
    pub fn values(&self) -> impl Iterator<Item = &Object> {
        self.kinds
            .values()
            .flat_map(|by_ns| by_ns.values().flat_map(Names::iter))
    }
    /// Keys of every object in `namespace`.
    pub fn keys_in_namespace(&self, namespace: &str) -> Vec<ObjKey> {
        let mut out = Vec::new();
        for (kind, by_ns) in &self.kinds {
            if let Some(names) = by_ns.get(namespace) {
                out.extend(
                    names
                        .order
                        .iter()
                        .map(|n| ObjKey::new(*kind, namespace, &n.name)),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::OrdName;
    use std::sync::Arc;

    /// Names with their heads sort exactly as the names: shorter before longer, ties within
    /// the first eight bytes, bytes above 0x7f.
    #[test]
    fn ord_names_sort_as_their_names() {
        let names = [
            "",
            "a",
            "a\0",
            "ab",
            "abcdefgh",
            "abcdefg",
            "abcdefgh-1",
            "abcdefgh-10",
            "abcdefgh-2",
            "b",
            "svc-10",
            "svc-9",
            "zone-é",
            "zone-e",
            "zone-z",
            "z",
        ];
        for a in names {
            for b in names {
                let (x, y) = (OrdName::new(Arc::from(a)), OrdName::new(Arc::from(b)));
                assert_eq!(x.cmp(&y), a.cmp(b), "{a:?} vs {b:?}");
                assert_eq!(x == y, a == b);
            }
        }
    }
}
