//! `kubectl apply`'s three-way merge on JSON: fields of the new configuration win, fields that
//! the last applied configuration had and the new one dropped are removed, and lists that carry
//! a strategic-merge key (containers by name, Service ports by port, …) are merged element-wise,
//! so that values the server filled in (an allocated nodePort) survive a re-apply.

use serde_json::{Map, Value};

/// The strategic merge key of the list at `path` (a dotted path with `[]` for list elements).
fn merge_key(path: &str) -> Option<&'static str> {
    let last = path.rsplit('.').next().unwrap_or(path);
    match last {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "readinessGates_" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "ports" if path.contains("containers[]") || path.contains("Containers[]") => {
            Some("containerPort")
        }
        "ports" if path == "spec.ports" => Some("port"),
        "hostAliases" => Some("ip"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        _ => None,
    }
}

/// Applies `modified` onto `current`, deleting what `original` had and `modified` no longer has.
pub fn three_way(current: &Value, modified: &Value, original: Option<&Value>) -> Value {
    let mut out = current.clone();
    merge_value(&mut out, modified, original, "");
    out
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn merge_value(cur: &mut Value, modified: &Value, original: Option<&Value>, path: &str) {
    match (cur.as_object_mut(), modified) {
        (Some(cur_map), Value::Object(mod_map)) => {
            merge_map(cur_map, mod_map, original.and_then(Value::as_object), path)
        }
        _ => *cur = modified.clone(),
    }
}

fn merge_map(
    cur: &mut Map<String, Value>,
    modified: &Map<String, Value>,
    original: Option<&Map<String, Value>>,
    path: &str,
) {
    for (k, mv) in modified {
        let p = child(path, k);
        let ov = original.and_then(|o| o.get(k));
        if mv.is_null() {
            cur.remove(k);
            continue;
        }
        match (cur.get_mut(k), mv) {
            (Some(cv @ Value::Object(_)), Value::Object(_)) => merge_value(cv, mv, ov, &p),
            (Some(Value::Array(ca)), Value::Array(ma)) => {
                if let Some(key) = merge_key(&p) {
                    let merged = merge_list(ca, ma, ov.and_then(Value::as_array), key, &p);
                    *ca = merged;
                } else {
                    *ca = ma.clone();
                }
            }
            _ => {
                cur.insert(k.clone(), mv.clone());
            }
        }
    }
    if let Some(orig) = original {
        for k in orig.keys() {
            if !modified.contains_key(k) {
                cur.remove(k);
            }
        }
    }
}

fn key_of<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object().and_then(|m| m.get(key))
}

fn merge_list(
    cur: &[Value],
    modified: &[Value],
    original: Option<&Vec<Value>>,
    key: &str,
    path: &str,
) -> Vec<Value> {
    let elem_path = format!("{path}[]");
    let mut out = Vec::new();
    for m in modified {
        let mk = key_of(m, key);
        let existing = mk.and_then(|k| cur.iter().find(|c| key_of(c, key) == Some(k)));
        let orig =
            mk.and_then(|k| original.and_then(|o| o.iter().find(|c| key_of(c, key) == Some(k))));
        match existing {
            Some(c) => {
                let mut c = c.clone();
                merge_value(&mut c, m, orig, &elem_path);
                out.push(c);
            }
            None => out.push(m.clone()),
        }
    }
    for c in cur {
        let ck = key_of(c, key);
        let in_modified = modified.iter().any(|m| key_of(m, key) == ck);
        let in_original = original.is_some_and(|o| o.iter().any(|x| key_of(x, key) == ck));
        if !in_modified && !in_original {
            out.push(c.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_filled_node_port_survives_reapply() {
        let current = json!({"spec": {"ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"}], "type": "NodePort"}});
        let modified = json!({"spec": {"ports": [{"port": 80}], "type": "NodePort"}});
        let out = three_way(&current, &modified, Some(&modified));
        assert_eq!(out["spec"]["ports"][0]["nodePort"], 31000);
    }

    #[test]
    fn dropped_fields_are_removed() {
        let current = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
        let original = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
        let modified = json!({"metadata": {"labels": {"a": "1"}}});
        assert_eq!(
            three_way(&current, &modified, Some(&original)),
            json!({"metadata": {"labels": {"a": "1"}}})
        );
    }
}
