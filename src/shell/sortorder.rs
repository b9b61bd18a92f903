//! `kubectl get --sort-by` (`kubectl/pkg/cmd/get/sorter.go`): the first value the JSONPath finds
//! in each object decides; numbers compare as numbers, two strings that both parse as resource
//! quantities compare as quantities, other strings in natural order (`sortorder.NaturalLess`);
//! objects without the field come first, then those where it is null (an event of the
//! `events.k8s.io` API has a null `lastTimestamp`).

use serde_json::Value;
use std::cmp::Ordering;

/// Sorts `items` by the value `key` finds in each; `Err` carries kubectl's message.
pub fn sort_by<T>(
    items: &mut [T],
    field: &str,
    key: impl Fn(&T) -> Result<Option<Value>, String>,
) -> Result<(), String> {
    let mut keyed: Vec<(Option<Value>, usize)> = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        keyed.push((key(it)?, i));
    }
    if !items.is_empty() && keyed.iter().all(|(k, _)| k.is_none()) {
        return Err(format!(
            "couldn't find any field with path \"{}\" in the list of objects",
            field
        ));
    }
    if keyed.len() > 1 {
        if let Some(bad) = keyed
            .iter()
            .filter_map(|(k, _)| k.as_ref())
            .find(|v| !matches!(v, Value::Number(_) | Value::String(_) | Value::Null))
        {
            return Err(format!(
                "Field {field} in *unstructured.Unstructured is an unsortable type: interface, err: unsortable type: {}",
                go_type(bad)
            ));
        }
    }
    // A stable sort: Go's sort.Sort is an insertion sort for the short lists a lab shows.
    crate::sim::order::sort_by(&mut keyed, |(a, _), (b, _)| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare(a, b),
    });
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    apply_permutation(items, order);
    Ok(())
}

fn apply_permutation<T>(items: &mut [T], mut order: Vec<usize>) {
    // order[k] = index of the item that belongs at k; follow cycles with swaps.
    for start in 0..order.len() {
        let mut cur = start;
        while order[cur] != start {
            let next = order[cur];
            items.swap(cur, next);
            order[cur] = cur;
            cur = next;
        }
        order[cur] = cur;
    }
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "map[string]interface {}",
        Value::Array(_) => "[]interface {}",
        Value::Bool(_) => "bool",
        _ => "<nil>",
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        // `isLess` of two interface values: a nil one is less than any other
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => match (quantity(x), quantity(y)) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => natural(x, y),
        },
        // Mixed number/string: Go's isLess finds no common type and keeps the order.
        _ => Ordering::Equal,
    }
}

/// `sortorder.NaturalLess` as an ordering: digit runs compare by value, digits sort before
/// other bytes, and with equal values fewer leading zeros comes first.
pub fn natural(a: &str, b: &str) -> Ordering {
    let (s1, s2) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < s1.len() && j < s2.len() {
        let (d1, d2) = (s1[i].is_ascii_digit(), s2[j].is_ascii_digit());
        if d1 != d2 {
            return if d1 {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        if !d1 {
            if s1[i] != s2[j] {
                return s1[i].cmp(&s2[j]);
            }
            i += 1;
            j += 1;
            continue;
        }
        while i < s1.len() && s1[i] == b'0' {
            i += 1;
        }
        while j < s2.len() && s2[j] == b'0' {
            j += 1;
        }
        let (n1, n2) = (i, j);
        while i < s1.len() && s1[i].is_ascii_digit() {
            i += 1;
        }
        while j < s2.len() && s2[j].is_ascii_digit() {
            j += 1;
        }
        let (l1, l2) = (i - n1, j - n2);
        if l1 != l2 {
            return l1.cmp(&l2);
        }
        if s1[n1..i] != s2[n2..j] {
            return s1[n1..i].cmp(&s2[n2..j]);
        }
        if n1 != n2 {
            return n1.cmp(&n2);
        }
    }
    s1.len().cmp(&s2.len())
}

/// `resource.ParseQuantity` reduced to its value: `<signed number><suffix>` with the binary
/// (`Ki`…`Ei`), decimal (`n` `u` `m` `` `k` `M`…`E`) or exponent (`e3`) suffixes.
fn quantity(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let num_len = body
        .bytes()
        .take_while(|c| c.is_ascii_digit() || *c == b'.')
        .count();
    let (num, suffix) = body.split_at(num_len);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return None;
    }
    let mut v: f64 = num.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e => {
            let exp = e.strip_prefix(['e', 'E'])?;
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exp.parse().ok()?)
        }
    };
    if s.starts_with('-') {
        v = -v;
    }
    Some(v * scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn natural_order() {
        let mut v = vec![
            "a10",
            "a2",
            "a02",
            "b",
            "a",
            "1",
            "10.244.0.10",
            "10.244.0.9",
        ];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(
            v,
            [
                "1",
                "10.244.0.9",
                "10.244.0.10",
                "a",
                "a2",
                "a02",
                "a10",
                "b"
            ]
        );
    }

    #[test]
    fn quantities_and_missing_fields() {
        let mut v = vec![json!("1Gi"), json!(null), json!("512Mi"), json!("100m")];
        sort_by(&mut v, "{.x}", |x| {
            Ok(if x.is_null() { None } else { Some(x.clone()) })
        })
        .unwrap();
        assert_eq!(
            v,
            [json!(null), json!("100m"), json!("512Mi"), json!("1Gi")]
        );
        let mut none = vec![json!(null)];
        let e = sort_by(&mut none, "{.x}", |_| Ok(None)).unwrap_err();
        assert_eq!(
            e,
            "couldn't find any field with path \"{.x}\" in the list of objects"
        );
    }
}
