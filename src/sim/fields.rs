//! Field selectors as the apiserver takes them (`--field-selector`): the grammar of
//! k8s.io/apimachinery `fields.ParseSelector`, each kind's field-label conversion
//! (`AddFieldLabelConversionFunc` in pkg/apis/core/v1/conversion.go, and
//! `runtime.DefaultMetaV1FieldSelectorConversion` for every kind without one), and the values
//! each kind's registry strategy offers to match (`PodToSelectableFields` and the others).

use crate::sim::object::{Kind, Object};

/// One parsed requirement: the field label, whether it must equal (`=`, `==`) or differ (`!=`),
/// and the unescaped value.
#[derive(Debug, Clone, PartialEq)]
struct Requirement {
    field: String,
    equal: bool,
    value: String,
}

/// A parsed field selector, its terms sorted as `parseSelector` sorts them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSelector {
    reqs: Vec<Requirement>,
}

/// What a field selector is matched against: a stored object, or one of the events the
/// controllers and kubelets recorded.
pub enum Subject<'a> {
    Object(&'a Object),
    Event(&'a crate::sim::controllers::Event),
}

/// `fields.ParseSelector`: terms split on unescaped commas; each term split at the first
/// `!=`, `==` or `=`; values unescaped (`\\`, `\,`, `\=`).
pub fn parse(selector: &str) -> Result<FieldSelector, String> {
    let mut parts = split_terms(selector);
    parts.sort();
    let mut reqs = Vec::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        let Some((lhs, op, rhs)) = split_term(part) else {
            return Err(format!(
                "invalid selector: '{selector}'; can't understand '{part}'"
            ));
        };
        reqs.push(Requirement {
            field: lhs.to_string(),
            equal: op != "!=",
            value: unescape(rhs)?,
        });
    }
    Ok(FieldSelector { reqs })
}

fn split_terms(s: &str) -> Vec<&str> {
    if s.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in s.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(&s[start..i]);
            start = i + 1;
        }
    }
    terms.push(&s[start..]);
    terms
}

fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    for (i, _) in term.char_indices() {
        for op in ["!=", "==", "="] {
            if term[i..].starts_with(op) {
                return Some((&term[..i], op, &term[i + op.len()..]));
            }
        }
    }
    None
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut in_slash = false;
    for c in s.chars() {
        if in_slash {
            if !matches!(c, '\\' | ',' | '=') {
                return Err(format!(
                    "invalid field selector: invalid escape sequence: \\{c}"
                ));
            }
            out.push(c);
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            // Go's %v of a rune prints its number
            ',' | '=' => {
                return Err(format!(
                    "invalid field selector: unescaped character in value: {}",
                    c as u32
                ))
            }
            c => out.push(c),
        }
    }
    if in_slash {
        return Err("invalid field selector: invalid escape sequence: \\".into());
    }
    Ok(out)
}

/// The labels a kind's conversion function accepts (and the one legacy alias it rewrites).
/// `None` for kinds without one: the default takes `metadata.name` and `metadata.namespace`.
fn accepted(kind: Option<Kind>) -> Option<&'static [&'static str]> {
    Some(match kind {
        Some(Kind::Pod) => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            "spec.host",
        ],
        Some(Kind::Node) => &["metadata.name", "spec.unschedulable"],
        Some(Kind::Namespace) => &["status.phase", "metadata.name"],
        Some(Kind::Service) => &[
            "metadata.namespace",
            "metadata.name",
            "spec.clusterIP",
            "spec.type",
        ],
        // core/v1 Event
        None => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        Some(_) => return None,
    })
}

impl FieldSelector {
    /// The field-label conversion the apiserver runs on every term of a list request (`kind`
    /// `None`: core/v1 Events); its error is the apiserver's BadRequest message.
    pub fn convert(&mut self, kind: Option<Kind>) -> Result<(), String> {
        for r in &mut self.reqs {
            match accepted(kind) {
                Some(labels) if labels.contains(&r.field.as_str()) => {
                    if r.field == "spec.host" {
                        r.field = "spec.nodeName".into();
                    }
                }
                Some(_) => return Err(format!("field label not supported: {}", r.field)),
                None if matches!(r.field.as_str(), "metadata.name" | "metadata.namespace") => {}
                None => {
                    return Err(format!(
                        "\"{}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
                        r.field
                    ))
                }
            }
        }
        Ok(())
    }

    /// Whether the subject's selectable fields satisfy every term (a field the kind does not
    /// set reads as empty, as `fields.Set.Get` does).
    pub fn matches(&self, subject: &Subject) -> bool {
        self.reqs
            .iter()
            .all(|r| (selectable(subject, &r.field) == r.value) == r.equal)
    }
}

/// The value of one selectable field (`…ToSelectableFields` of the kind's registry strategy).
fn selectable(subject: &Subject, field: &str) -> String {
    let obj = match subject {
        Subject::Event(e) => {
            return match field {
                "metadata.name" => e.id.clone(),
                "metadata.namespace" | "involvedObject.namespace" => e.namespace.clone(),
                "involvedObject.kind" => e.kind.to_string(),
                "involvedObject.name" => e.name.clone(),
                "reason" => e.reason.to_string(),
                "source" => e.source.to_string(),
                "type" => e.type_.to_string(),
                _ => String::new(),
            }
        }
        Subject::Object(o) => *o,
    };
    let meta = obj.meta();
    match field {
        "metadata.name" => return meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => return meta.namespace.clone().unwrap_or_default(),
        _ => {}
    }
    match obj {
        Object::Pod(p) => {
            let spec = p.spec.as_ref();
            let status = p.status.as_ref();
            let s = |v: Option<&String>| v.cloned().unwrap_or_default();
            match field {
                "spec.nodeName" => s(spec.and_then(|s| s.node_name.as_ref())),
                "spec.restartPolicy" => s(spec.and_then(|s| s.restart_policy.as_ref())),
                "spec.schedulerName" => s(spec.and_then(|s| s.scheduler_name.as_ref())),
                "spec.serviceAccountName" => s(spec.and_then(|s| s.service_account_name.as_ref())),
                "spec.hostNetwork" => spec
                    .and_then(|s| s.host_network)
                    .unwrap_or(false)
                    .to_string(),
                "status.phase" => s(status.and_then(|s| s.phase.as_ref())),
                "status.podIP" => status
                    .and_then(|s| s.pod_ips.as_ref())
                    .and_then(|ips| ips.first())
                    .map(|ip| ip.ip.clone())
                    .unwrap_or_default(),
                "status.nominatedNodeName" => {
                    s(status.and_then(|s| s.nominated_node_name.as_ref()))
                }
                _ => String::new(),
            }
        }
        Object::Node(n) => match field {
            "spec.unschedulable" => n
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
                .to_string(),
            _ => String::new(),
        },
        Object::Namespace(n) => match field {
            "status.phase" => n
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default(),
            _ => String::new(),
        },
        Object::Service(s) => {
            let spec = s.spec.as_ref();
            match field {
                "spec.clusterIP" => spec.and_then(|s| s.cluster_ip.clone()),
                "spec.type" => spec.and_then(|s| s.type_.clone()),
                _ => None,
            }
            .unwrap_or_default()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_follows_parse_selector() {
        let s = parse("status.phase!=Running,spec.nodeName==m02").unwrap();
        assert_eq!(s.reqs.len(), 2);
        // sorted: "spec…" before "status…"
        assert_eq!(s.reqs[0].field, "spec.nodeName");
        assert!(s.reqs[0].equal);
        assert!(!s.reqs[1].equal);
        assert_eq!(parse(r"metadata.name=a\,b").unwrap().reqs[0].value, "a,b");
        assert_eq!(
            parse("foo").unwrap_err(),
            "invalid selector: 'foo'; can't understand 'foo'"
        );
        assert_eq!(
            parse("a=b=c").unwrap_err(),
            "invalid field selector: unescaped character in value: 61"
        );
        assert_eq!(
            parse(r"a=b\x").unwrap_err(),
            r"invalid field selector: invalid escape sequence: \x"
        );
        assert!(parse("").unwrap().reqs.is_empty());
    }

    #[test]
    fn conversion_is_per_kind() {
        let mut s = parse("spec.host=m02").unwrap();
        s.convert(Some(Kind::Pod)).unwrap();
        assert_eq!(s.reqs[0].field, "spec.nodeName");
        assert_eq!(
            parse("status.hostIP=1").unwrap().convert(Some(Kind::Pod)),
            Err("field label not supported: status.hostIP".into())
        );
        assert_eq!(
            parse("metadata.namespace=x")
                .unwrap()
                .convert(Some(Kind::Node)),
            Err("field label not supported: metadata.namespace".into())
        );
        assert_eq!(
            parse("spec.replicas=1").unwrap().convert(Some(Kind::Deployment)),
            Err("\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"".into())
        );
        assert!(parse("type=Warning").unwrap().convert(None).is_ok());
    }
}
