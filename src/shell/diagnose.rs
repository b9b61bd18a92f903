//! Where in a manifest text each error of `kubectl apply -f` of that text lies, for the lab's
//! editor: the message is exactly the one kubectl printed, the line is found from the document
//! the error names (kind and name, or the fields strict decoding rejected) and the field path
//! in it (`spec.ports[0].nodePort`), else the document's first line.

use crate::sim::object::{decode, DecodeError};
use crate::sim::yaml;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line of the text
    pub line: usize,
    pub message: String,
}

/// One object the text declares.
struct Declared {
    kind: String,
    name: String,
    /// the document's text and its first line in the whole text
    text: String,
    first_line: usize,
    /// `items[N].` for an item of a `kind: List`
    prefix: String,
    unknown_fields: Vec<String>,
    /// a value of the wrong type: the decoding message, and where the value is
    type_error: Option<(String, String)>,
}

/// The diagnostics of `kubectl apply -f` of `text`, from what it wrote to stderr.
pub fn diagnose(text: &str, stderr: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // nothing to place (the editor calls this after every apply: no parse of a good text)
    if stderr.trim().is_empty() {
        return out;
    }
    let docs = match yaml::split_documents(text) {
        Ok(d) => d,
        Err((line, _)) => {
            return entries(stderr)
                .into_iter()
                .map(|message| Diagnostic { line, message })
                .collect()
        }
    };
    let mut declared = Vec::new();
    let mut syntax_line = None;
    for d in &docs {
        let v = match yaml::parse_document(&d.text) {
            Ok(v) => v,
            Err(e) => {
                // kubectl stops at the first document that does not parse
                syntax_line = Some(d.first_line + e.line.max(1) - 1);
                break;
            }
        };
        let items: Vec<(String, Value)> = if v.get("kind").and_then(Value::as_str) == Some("List") {
            let list = v.get("items").and_then(Value::as_array);
            list.into_iter()
                .flatten()
                .enumerate()
                .map(|(i, item)| (format!("items[{i}]."), item.clone()))
                .collect()
        } else {
            vec![(String::new(), v)]
        };
        for (prefix, item) in items {
            let field = |k: &str| {
                let v = if k == "name" {
                    item.get("metadata").and_then(|m| m.get("name"))
                } else {
                    item.get(k)
                };
                v.and_then(Value::as_str).unwrap_or_default().to_string()
            };
            let (unknown_fields, type_error) = match decode(&item) {
                Err(DecodeError::UnknownFields { fields, .. }) => (fields, None),
                Err(DecodeError::Type {
                    message,
                    at: Some(at),
                    ..
                }) => (Vec::new(), Some((message, at))),
                _ => (Vec::new(), None),
            };
            declared.push(Declared {
                kind: field("kind"),
                name: field("name"),
                text: d.text.clone(),
                first_line: d.first_line,
                prefix,
                unknown_fields,
                type_error,
            });
        }
    }
    let mut taken = vec![false; declared.len()];
    for entry in entries(stderr) {
        if entry.contains("error converting YAML to JSON") {
            out.push(Diagnostic {
                line: syntax_line.unwrap_or(1),
                message: entry,
            });
            continue;
        }
        if let Some(fields) = entry.split("strict decoding error: ").nth(1) {
            let fields: Vec<&str> = fields
                .split(", ")
                .filter_map(|f| f.strip_prefix("unknown field \""))
                .map(|f| f.trim_end().trim_end_matches('"'))
                .collect();
            let found = declared.iter().enumerate().position(|(i, d)| {
                !taken[i]
                    && !d.unknown_fields.is_empty()
                    && d.unknown_fields
                        .iter()
                        .map(String::as_str)
                        .eq(fields.iter().copied())
            });
            if let Some(i) = found {
                taken[i] = true;
                for f in &fields {
                    out.push(Diagnostic {
                        line: declared[i].line_of(f),
                        message: entry.clone(),
                    });
                }
                continue;
            }
        }
        // a decoding error names no object: the document that fails the same way
        let typed = declared.iter().enumerate().find(|(i, d)| {
            !taken[*i]
                && d.type_error
                    .as_ref()
                    .is_some_and(|(m, _)| entry.ends_with(m.as_str()))
        });
        if let Some((i, d)) = typed {
            let at = d.type_error.as_ref().map_or("", |(_, at)| at.as_str());
            out.push(Diagnostic {
                line: d.line_of(at),
                message: entry.clone(),
            });
            taken[i] = true;
            continue;
        }
        let target = declared.iter().find(|d| names_object(&entry, d));
        let Some(d) = target else {
            out.push(Diagnostic {
                line: declared.first().map_or(1, |d| d.first_line),
                message: entry,
            });
            continue;
        };
        // one diagnostic per field the apiserver named (`* path: …` lines, or `[a: …, b: …]`)
        let (head, bullets) = match entry.split_once('\n') {
            Some((h, rest)) => (h, rest.lines().collect::<Vec<_>>()),
            None => (entry.as_str(), Vec::new()),
        };
        if bullets.is_empty() {
            out.push(Diagnostic {
                line: field_path(&entry).map_or(d.first_line, |p| d.line_of(p)),
                message: entry.clone(),
            });
        } else {
            for b in bullets {
                let item = b.trim_start_matches("* ");
                out.push(Diagnostic {
                    line: field_path(item).map_or(d.first_line, |p| d.line_of(p)),
                    message: format!("{} {item}", head.trim_end()),
                });
            }
        }
    }
    crate::sim::order::sort_by_key(&mut out, |d| d.line);
    out
}

impl Declared {
    fn line_of(&self, path: &str) -> usize {
        let full = format!("{}{path}", self.prefix);
        self.first_line + locate(&self.text, &full).unwrap_or(1) - 1
    }
}

/// Does this error name the object (`Service "web"`, `services "web"`, `name: "web"`)?
fn names_object(entry: &str, d: &Declared) -> bool {
    if d.name.is_empty() {
        return false;
    }
    let quoted = format!("\"{}\"", d.name);
    let Some(at) = entry.find(&quoted) else {
        return false;
    };
    let before = entry[..at].trim_end().to_ascii_lowercase();
    let kind = d.kind.to_ascii_lowercase();
    before.ends_with(&kind)
        || before.ends_with(&format!("{kind}s"))
        || before.contains(&format!("{kind}s."))
        || (before.ends_with("name:") && entry.contains(&format!("kind \"{}\"", d.kind)))
}

/// The field path an apiserver message starts its cause with: `spec.ports[0].port: …`.
fn field_path(entry: &str) -> Option<&str> {
    let cause = match entry.find(" is invalid: ") {
        Some(i) => &entry[i + " is invalid: ".len()..],
        None => entry,
    };
    let cause = cause.trim_start_matches(['[', '*', ' ']);
    let end = cause.find(": ")?;
    let path = &cause[..end];
    let is_path = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-[]/".contains(c));
    is_path.then_some(path)
}

/// kubectl's error lines, each with its continuation lines (`* …`, `ensure CRDs …`).
fn entries(stderr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stderr.lines() {
        let continues = line.starts_with("* ") || line.starts_with("ensure CRDs");
        match out.last_mut() {
            Some(last) if continues => {
                last.push('\n');
                last.push_str(line);
            }
            _ if line.trim().is_empty() => {}
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// A path step: a mapping key or a sequence index.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Step::Index(i));
            }
        }
    }
    out
}

/// Leading spaces, and the column where the line's key starts after any `- ` markers.
fn columns(line: &str) -> Option<(usize, usize, &str)> {
    let body = line.trim_start_matches(' ');
    if body.is_empty() || body.starts_with('#') {
        return None;
    }
    let indent = line.len() - body.len();
    let mut key_col = indent;
    let mut rest = body;
    while let Some(r) = rest.strip_prefix('-') {
        if !(r.is_empty() || r.starts_with(' ')) {
            break;
        }
        let trimmed = r.trim_start_matches(' ');
        key_col += rest.len() - trimmed.len();
        rest = trimmed;
    }
    Some((indent, key_col, rest))
}

/// The 1-based line of `path` in a block-style YAML document; for a path that is not all
/// there, the line of its deepest part that is (the cause is usually a missing child).
pub fn locate(text: &str, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let (mut lo, mut hi) = (0, lines.len());
    let mut found = None;
    for step in steps(path) {
        let content = |i: usize| columns(lines[i]).map(|c| (i, c));
        let first = (lo..hi).find_map(content)?;
        let hit = match step {
            Step::Key(k) => {
                let col = first.1 .1;
                (lo..hi).filter_map(content).find(|(_, (_, kc, rest))| {
                    *kc == col
                        && rest
                            .strip_prefix(k)
                            .is_some_and(|r| r.starts_with(':') || r.starts_with("\":"))
                })
            }
            Step::Index(n) => {
                // the items are the `-` lines at the sequence's column
                let col = first.1 .0;
                (lo..hi)
                    .filter_map(content)
                    .filter(|(i, (ind, _, _))| *ind == col && lines[*i][col..].starts_with('-'))
                    .nth(n)
            }
        };
        let Some((at, (indent, key_col, _))) = hit else {
            return found.map(|l: usize| l + 1);
        };
        found = Some(at);
        // the value's block: the lines after `at` that are deeper, or a sequence at the key's
        // own column under a key
        let is_key = matches!(step, Step::Key(_));
        let end = (at + 1..hi)
            .find(|&i| match columns(lines[i]) {
                None => false,
                Some((ind, _, _)) => {
                    if is_key {
                        ind < key_col || (ind == key_col && !lines[i][ind..].starts_with('-'))
                    } else {
                        ind <= indent
                    }
                }
            })
            .unwrap_or(hi);
        // an item's first key sits on its `- ` line
        lo = if is_key { at + 1 } else { at };
        hi = end;
    }
    found.map(|l| l + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n    nodePort: 33007\n  - name: admin\n    port: 81\n";

    #[test]
    fn locates_keys_and_sequence_items() {
        assert_eq!(locate(SVC, "metadata.name"), Some(4));
        assert_eq!(locate(SVC, "spec.ports[0].nodePort"), Some(12));
        assert_eq!(locate(SVC, "spec.ports[1].port"), Some(14));
        assert_eq!(locate(SVC, "spec.ports[1]"), Some(13));
        // a missing child: its parent
        assert_eq!(locate(SVC, "spec.ports[1].protocol"), Some(13));
        assert_eq!(locate(SVC, "spec.clusterIP"), Some(5));
    }
}
