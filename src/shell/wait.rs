//! `kubectl wait --for=delete|condition=NAME[=VALUE]|jsonpath='{…}'[=VALUE]` (kubectl's
//! `cmd/wait`): each object found is watched until its condition holds or the one timeout of the
//! whole command passes. The lab's watch is simulated time moving from one controller timer to
//! the next, as the cluster would change meanwhile.

use super::flags::{flag, val};
use super::kubectl::{namespace, parse, resolve_kind};
use super::{errors, jsonpath, Output, Shell};
use crate::sim::api::ApiError;
use crate::sim::object::Kind;
use serde_json::Value;

/// What `--for` asks (`conditionFuncFor`).
enum Condition {
    Delete,
    /// a `status.conditions` entry of this type with this status (both compared case-folded)
    Status(String, String),
    /// a JSONPath expression and the value it must print (`None`: any value will do)
    Path(String, Option<String>),
}

fn condition_for(spec: &str) -> Result<Condition, String> {
    if spec.eq_ignore_ascii_case("delete") {
        return Ok(Condition::Delete);
    }
    if let Some(rest) = spec.strip_prefix("condition=") {
        let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status(name.to_string(), value.to_string()));
    }
    if let Some(input) = spec.strip_prefix("jsonpath=") {
        // `splitJSONPathInput`: split on single `=`, `==` stays in the expression
        let mut parts = vec![String::new()];
        let b = input.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' {
                if b.get(i + 1) == Some(&b'=') {
                    if let Some(p) = parts.last_mut() {
                        p.push_str("==");
                    }
                    i += 2;
                    continue;
                }
                parts.push(String::new());
            } else if let Some(p) = parts.last_mut() {
                let ch = input[i..].chars().next().unwrap_or(' ');
                p.push(ch);
                i += ch.len_utf8();
                continue;
            }
            i += 1;
        }
        if parts.len() > 2 {
            return Err("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'".into());
        }
        let expr = jsonpath::relaxed(&parts[0])?;
        let value = match parts.get(1) {
            None => None,
            Some(v) => {
                let v = v.trim_matches(|c| c == '\'' || c == '"');
                if v.is_empty() {
                    return Err("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3".into());
                }
                Some(v.to_string())
            }
        };
        return Ok(Condition::Path(expr, value));
    }
    Err(format!("unrecognized condition: \"{spec}\""))
}

/// Go's `time.ParseDuration` for the `--timeout` values people type (`30s`, `2m`, `1m30s`,
/// `500ms`, `0`, `-1s`); negative means a week, as `wait` takes it.
fn parse_timeout(s: &str) -> Result<i64, String> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body == "0" {
        return Ok(0);
    }
    let mut total = 0f64;
    let mut rest = body;
    if rest.is_empty() {
        return Err(format!("time: invalid duration \"{s}\""));
    }
    while !rest.is_empty() {
        let n_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..n_len]
            .parse()
            .map_err(|_| format!("time: invalid duration \"{s}\""))?;
        rest = &rest[n_len..];
        let u_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u_len] {
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1000.0,
            "ms" => 1.0,
            "" => return Err(format!("time: missing unit in duration \"{s}\"")),
            u => return Err(format!("time: unknown unit \"{u}\" in duration \"{s}\"")),
        };
        rest = &rest[u_len..];
        total += n * unit;
    }
    Ok(if neg { -(total as i64) } else { total as i64 })
}

/// Whether the object meets the condition now (`checkCondition`).
fn met(cond: &Condition, obj: &Value) -> Result<bool, String> {
    match cond {
        Condition::Delete => Ok(false),
        Condition::Status(name, status) => {
            let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
            for c in obj
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let ty = c.get("type").and_then(Value::as_str).unwrap_or("");
                if !ty.eq_ignore_ascii_case(name) {
                    continue;
                }
                let Some(st) = c.get("status").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(g) = generation {
                    let observed =
                        c.get("observedGeneration")
                            .and_then(Value::as_i64)
                            .or_else(|| {
                                obj.pointer("/status/observedGeneration")
                                    .and_then(Value::as_i64)
                            });
                    if observed.is_some_and(|o| o < g) {
                        return Ok(false);
                    }
                }
                return Ok(st.eq_ignore_ascii_case(status));
            }
            Ok(false)
        }
        Condition::Path(expr, want) => {
            let found = jsonpath::values(expr, obj)?;
            let Some(first) = found.first() else {
                return Ok(false);
            };
            if found.len() > 1 {
                return Err("given jsonpath expression matches more than one value".into());
            }
            let Some(want) = want else { return Ok(true) };
            if first.is_object() || first.is_array() {
                return Err(
                    "jsonpath leads to a nested object or list which is not supported".into(),
                );
            }
            Ok(super::gotemplate::plain(first).trim() == want.trim())
        }
    }
}

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            val("for", None),
            val("timeout", None),
            val("selector", Some('l')),
            val("field-selector", None),
            flag("all", None),
            flag("all-namespaces", Some('A')),
            val("filename", Some('f')),
            val("output", Some('o')),
        ],
        "kubectl wait",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let timeout = match parse_timeout(p.get("timeout").unwrap_or("30s")) {
        Ok(t) if t < 0 => 168 * 3_600_000,
        Ok(t) => t,
        Err(e) => {
            return Output::fail(errors::flag_error(
                "kubectl wait",
                &format!(
                    "invalid argument \"{}\" for \"--timeout\" flag: {e}",
                    p.get("timeout").unwrap_or("")
                ),
            ))
        }
    } as u64;
    let cond = match condition_for(p.get("for").unwrap_or("")) {
        Ok(c) => c,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    let ns = namespace(sh, &p);
    // the objects, as the resource builder finds them
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    let mut errs = Vec::new();
    let Some(first) = p.args.first() else {
        return Output::fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    };
    let deleting = matches!(cond, Condition::Delete);
    if first.contains('/') {
        for a in &p.args {
            let Some((t, n)) = a.split_once('/') else {
                return Output::fail("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'");
            };
            match resolve_kind(t) {
                Ok(k) => targets.push((k, ns.clone(), n.to_string())),
                Err(e) => return Output::fail(e),
            }
        }
    } else {
        let kind = match super::kubectl::single_resource(first).and_then(resolve_kind) {
            Ok(k) => k,
            Err(e) => return Output::fail(e),
        };
        let names = &p.args[1..];
        let selecting = p.has("selector") || p.has("field-selector") || p.bool("all");
        if !names.is_empty() {
            if selecting {
                return Output::fail("error: name cannot be provided when a selector is specified");
            }
            for n in names {
                targets.push((kind, ns.clone(), n.clone()));
            }
        } else if !selecting {
            return Output::fail("error: resource(s) were provided, but no name was specified");
        } else {
            match super::get::select_flagged(sh, kind, &p) {
                Ok(objs) => targets.extend(
                    objs.into_iter()
                        .map(|o| (kind, o.namespace().to_string(), o.name().to_string())),
                ),
                Err(e) => return Output::fail(e),
            }
        }
    }
    let mut out = Output::ok();
    let deadline = sh.cluster.now.0 + timeout;
    let mut visited = 0;
    for (kind, o_ns, name) in targets {
        let Some(start) = sh.cluster.get(kind, &o_ns, &name) else {
            // the builder's GET fails; `--for=delete` ignores a NotFound
            if !deleting {
                errs.push(errors::single(&ApiError::not_found(kind, &name)));
                break;
            }
            continue;
        };
        visited += 1;
        let uid = start.meta().uid.clone();
        let shown = format!("{}/{name}", kind.lower_group_kind());
        loop {
            let current = sh.cluster.get(kind, &o_ns, &name);
            let done = match (&cond, current) {
                // gone, or replaced by another object of the same name
                (Condition::Delete, None) => Ok(true),
                (Condition::Delete, Some(o)) => Ok(o.meta().uid != uid),
                (_, None) => Err(errors::single(&ApiError::not_found(kind, &name))),
                (c, Some(o)) => met(c, &o.to_value()).map_err(|e| format!("error: {e}")),
            };
            match done {
                Ok(true) => {
                    out.out(if p.get("output") == Some("name") {
                        format!("{shown}\n")
                    } else {
                        format!("{shown} condition met\n")
                    });
                    break;
                }
                Ok(false) if timeout == 0 => {
                    errs.push(format!(
                        "error: condition not met for {}/{name}",
                        kind.plural()
                    ));
                    break;
                }
                Ok(false) => {}
                Err(e) => {
                    errs.push(e);
                    break;
                }
            }
            if sh.cluster.now.0 >= deadline {
                errs.push(format!(
                    "error: timed out waiting for the condition on {}/{name}",
                    kind.plural()
                ));
                break;
            }
            // nothing changes between the cluster's timers: jump to the next one
            let next = sh
                .cluster
                .next_timer()
                .map_or(deadline, |t| t.0.clamp(sh.cluster.now.0 + 1, deadline));
            sh.cluster.advance(next - sh.cluster.now.0);
        }
        if !errs.is_empty() {
            break;
        }
    }
    if errs.is_empty() && visited == 0 && !deleting {
        errs.push("error: no matching resources found".into());
    }
    for e in &errs {
        out.err(format!("{e}\n"));
    }
    if !errs.is_empty() {
        out.code = 1;
    }
    out
}
