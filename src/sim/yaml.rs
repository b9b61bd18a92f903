//! YAML in and out, the way kubectl handles it: a stream is cut into documents at `---` lines
//! (k8s.io/apimachinery yaml.YAMLReader), each document is parsed on its own (so syntax error lines
//! count from the document's start, as in `error converting YAML to JSON: yaml: line N: …`), and
//! objects are printed in go-yaml v2's style with sorted keys (`kubectl get -o yaml`).

use serde_json::Value;

/// One document of a multi-document stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 1-based line of the stream where the document's text starts.
    pub first_line: usize,
    pub text: String,
}

/// A YAML syntax error as go-yaml reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// The line go-yaml prints (0 when it prints none); relative to the document.
    pub reported_line: usize,
    /// 1-based line and column of the problem within the document, for editors.
    pub line: usize,
    pub column: usize,
    pub problem: String,
}

impl YamlError {
    /// `yaml: line 7: mapping values are not allowed in this context`
    pub fn go_message(&self) -> String {
        if self.reported_line > 0 {
            format!("yaml: line {}: {}", self.reported_line, self.problem)
        } else {
            format!("yaml: {}", self.problem)
        }
    }
}

/// Splits a stream at document separators, as kubectl's YAMLReader does. A separator line that
/// carries anything but a comment is an error (`invalid Yaml document separator: …`).
pub fn split_documents(text: &str) -> Result<Vec<Document>, (usize, String)> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut first_line = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err((n, format!("invalid Yaml document separator: {trimmed}")));
            }
            if !current.is_empty() {
                docs.push(Document {
                    first_line,
                    text: std::mem::take(&mut current),
                });
            }
            first_line = n + 1;
            continue;
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        docs.push(Document {
            first_line,
            text: current,
        });
    }
    Ok(docs)
}

// Problems that libyaml's scanner (not its parser) reports; go-yaml counts their lines differently.
const SCANNER_PROBLEMS: &[&str] = &[
    "found character that cannot start any token",
    "could not find expected ':'",
    "mapping values are not allowed in this context",
    "block sequence entries are not allowed in this context",
    "found unexpected end of stream",
    "found unknown escape character",
    "did not find expected hexdecimal number",
    "found invalid Unicode character escape code",
    "found a tab character where an indentation space is expected",
    "found a tab character that violates indentation",
    "did not find expected alphabetic or numeric character",
    "did not find expected whitespace or line break",
    "found undefined tag handle",
    "did not find the expected '>'",
    "found unexpected document indicator",
    "found incompatible YAML document",
    "did not find expected comment or line break",
    "found extra tokens",
];

/// Parses one document into JSON, as sigs.k8s.io/yaml's YAMLToJSON would.
/// An empty document (only comments or blanks) is `Value::Null`.
pub fn parse_document(text: &str) -> Result<Value, YamlError> {
    use serde::Deserialize;
    let parsed = match crate::sim::yaml_fast::parse(text) {
        Some(v) => Ok(v),
        None => Value::deserialize(serde_yaml_ng::Deserializer::from_str(text)),
    };
    match parsed {
        Ok(v) if mentions_yaml11_bool(&v) => Ok(with_yaml11_bools(text).unwrap_or(v)),
        Ok(v) => Ok(v),
        Err(e) => {
            let full = e.to_string();
            let problem = full.split(" at line ").next().unwrap_or(&full).to_string();
            let problem = problem
                .split(", while ")
                .next()
                .unwrap_or(&problem)
                .to_string();
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            // go-yaml: mark lines are 0-based; scanner errors add one, parser errors do not.
            let zero_based = line.saturating_sub(1);
            let reported_line = if SCANNER_PROBLEMS.iter().any(|p| problem.starts_with(p)) {
                if zero_based != 0 {
                    zero_based + 1
                } else {
                    0
                }
            } else {
                zero_based
            };
            Err(YamlError {
                reported_line,
                line,
                column,
                problem,
            })
        }
    }
}

// ---- YAML 1.1 booleans --------------------------------------------------------------------------

/// go-yaml v2, under sigs.k8s.io/yaml, resolves YAML 1.1: a plain `yes`, `no`, `on`, `off`, `y`,
/// `n` (in these three casings) is a boolean, as a value and as a key (JSON `"true"`). serde_yaml_ng
/// reads YAML 1.2, where they are strings, and does not say which scalars were quoted.
pub(crate) fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn mentions_yaml11_bool(v: &Value) -> bool {
    match v {
        Value::String(s) => yaml11_bool(s).is_some(),
        Value::Array(a) => a.iter().any(mentions_yaml11_bool),
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| yaml11_bool(k).is_some() || mentions_yaml11_bool(v)),
        _ => false,
    }
}

/// Stand-ins for the plain YAML 1.1 booleans, which YAML 1.2 reads as these strings.
const PLAIN_TRUE: &str = "svclab-yaml11-plain-true";
const PLAIN_FALSE: &str = "svclab-yaml11-plain-false";

/// The document parsed again with each plain YAML 1.1 boolean read as go-yaml v2 reads it: the
/// editor's line lexer (`yaml_tokens`) says which pieces are keys and plain scalars (quoted
/// ones keep their quotes, block scalars and comments are pieces of their own), and the items
/// of a one-line flow list of plain scalars are looked at too. `None` if nothing changed or the
/// text no longer parses.
fn with_yaml11_bools(text: &str) -> Option<Value> {
    use crate::sim::yaml_tokens::{highlight, Tok};
    use serde::Deserialize;
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let stand_in = |b: bool| if b { PLAIN_TRUE } else { PLAIN_FALSE };
    for (i, pieces) in highlight(text).into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (tok, piece) in pieces {
            // (a CRLF text leaves its `\r` on the line's last piece)
            let word = piece.trim_end_matches('\r');
            match (tok, yaml11_bool(word)) {
                (Tok::Key | Tok::Const | Tok::Str, Some(b)) => {
                    out.push_str(stand_in(b));
                    out.push_str(&piece[word.len()..]);
                    changed = true;
                }
                (Tok::Plain, None) if piece.starts_with('[') && piece.ends_with(']') => {
                    let items = &piece[1..piece.len() - 1];
                    // only a list of plain scalars: no quotes, nesting or comments in it
                    if items.contains(['[', '{', '"', '\'', '#']) {
                        out.push_str(piece);
                        continue;
                    }
                    out.push('[');
                    for (j, item) in items.split(',').enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        match yaml11_bool(item.trim_matches(' ')) {
                            Some(b) => {
                                let word = item.trim_matches(' ');
                                let lead = item.len() - item.trim_start_matches(' ').len();
                                out.push_str(&item[..lead]);
                                out.push_str(stand_in(b));
                                out.push_str(&item[lead + word.len()..]);
                                changed = true;
                            }
                            None => out.push_str(item),
                        }
                    }
                    out.push(']');
                }
                _ => out.push_str(piece),
            }
        }
    }
    if !changed {
        return None;
    }
    let v = Value::deserialize(serde_yaml_ng::Deserializer::from_str(&out)).ok()?;
    // a stand-in that ended up inside a longer scalar (a plain scalar continued on the next
    // line) was not a boolean: keep the first reading
    if has_partial_stand_in(&v) {
        return None;
    }
    Some(restore_yaml11_bools(v))
}

fn has_partial_stand_in(v: &Value) -> bool {
    let partial = |s: &str| {
        s != PLAIN_TRUE && s != PLAIN_FALSE && (s.contains(PLAIN_TRUE) || s.contains(PLAIN_FALSE))
    };
    match v {
        Value::String(s) => partial(s),
        Value::Array(a) => a.iter().any(has_partial_stand_in),
        Value::Object(m) => m.iter().any(|(k, v)| partial(k) || has_partial_stand_in(v)),
        _ => false,
    }
}

fn restore_yaml11_bools(v: Value) -> Value {
    let plain = |s: &str| match s {
        PLAIN_TRUE => Some(true),
        PLAIN_FALSE => Some(false),
        _ => None,
    };
    match v {
        Value::String(s) => match plain(&s) {
            Some(b) => Value::Bool(b),
            None => Value::String(s),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(restore_yaml11_bools).collect()),
        Value::Object(m) => {
            // inserted one by one: collecting would instantiate a sort of the entries
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let k = plain(&k).map_or(k, |b| b.to_string());
                out.insert(k, restore_yaml11_bools(v));
            }
            Value::Object(out)
        }
        other => other,
    }
}

// ---- emitting ----------------------------------------------------------------------------------

/// Serialises a JSON value as `kubectl get -o yaml` prints it.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => emit_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => emit_seq(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn emit_map(m: &serde_json::Map<String, Value>, ind: usize, out: &mut String) {
    let mut first = true;
    for (k, v) in m {
        if !first {
            indent(out, ind);
        }
        first = false;
        out.push_str(&string_scalar(k, ind));
        out.push(':');
        emit_value_after_key(v, ind, out);
    }
}

fn emit_value_after_key(v: &Value, ind: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, ind + 2);
            emit_map(m, ind + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, ind);
            emit_seq(a, ind, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, ind + 2));
            out.push('\n');
        }
    }
}

fn emit_seq(a: &[Value], ind: usize, out: &mut String) {
    let mut first = true;
    for v in a {
        if !first {
            indent(out, ind);
        }
        first = false;
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => emit_map(m, ind + 2, out),
            Value::Array(inner) if !inner.is_empty() => {
                emit_seq(inner, ind + 2, out);
            }
            other => {
                out.push_str(&scalar(other, ind + 2));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value, ind: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_scalar(s, ind),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Would go-yaml's resolver read this plain scalar as something other than a string?
fn resolves_to_non_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    ) {
        return true;
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let digits = t.replace('_', "");
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    if let Some(hex) = t.strip_prefix("0x") {
        if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return true;
        }
    }
    if t.parse::<f64>().is_ok()
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.')
    {
        return true;
    }
    // timestamps (YYYY-MM-DD…)
    let b = s.as_bytes();
    if b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
    {
        return true;
    }
    false
}

/// libyaml's analysis of whether a string may be written plain in block context.
fn plain_allowed(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    if b[0] == b' ' || b[b.len() - 1] == b' ' {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let first = b[0];
    if matches!(
        first,
        b'#' | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    ) {
        return false;
    }
    if matches!(first, b'-' | b'?' | b':') && (b.len() == 1 || b[1] == b' ') {
        return false;
    }
    for (i, &c) in b.iter().enumerate() {
        if c == b':' && (i + 1 == b.len() || b[i + 1] == b' ') {
            return false;
        }
        if c == b'#' && i > 0 && b[i - 1] == b' ' {
            return false;
        }
        if c == b'\t' || c < 0x20 {
            return false;
        }
    }
    true
}

fn string_scalar(s: &str, ind: usize) -> String {
    if s.contains('\n') {
        let chomp = if s.ends_with('\n') { "" } else { "-" };
        let mut out = format!("|{chomp}");
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                for _ in 0..ind {
                    out.push(' ');
                }
                out.push_str(line);
            }
        }
        return out;
    }
    if resolves_to_non_string(s) {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        return s.to_string();
    }
    if s.chars().all(|c| !c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    double_quoted(s)
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_at_separator_lines_only() {
        let docs = split_documents("a: 1\n---\nb: 2\n--- # c\nc: 3\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].first_line, 3);
        assert_eq!(docs[2].text, "c: 3\n");
        assert!(split_documents("a: 1\n--- x\n").is_err());
    }

    #[test]
    fn syntax_error_reports_go_yaml_line() {
        let e = parse_document("a: 1\nb: c: d\n").unwrap_err();
        assert_eq!(
            e.go_message(),
            "yaml: line 2: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn plain_yaml11_booleans_are_booleans_as_go_yaml_reads_them() {
        let v = parse_document(
            "a: yes\r\nb: \"yes\"\nc: 'no'\nd: Off # a comment\non: x\nl:\n- y\n- - N\n- k: ON\nt: |\n  yes\n  no\nf: [yes,no , x]\nu: yesterday\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": true, "b": "yes", "c": "no", "d": false, "true": "x",
                "l": [true, [false], {"k": true}], "t": "yes\nno\n", "f": [true, false, "x"],
                "u": "yesterday"})
        );
        // nothing to do: the same value as before
        assert_eq!(parse_document("a: b\n").unwrap(), json!({"a": "b"}));
        // a plain scalar continued on the next line is one string
        assert_eq!(
            parse_document("a: yes\n  and more\n").unwrap(),
            json!({"a": "yes and more"})
        );
    }

    #[test]
    fn emits_kubectl_style() {
        let v = json!({"metadata": {"name": "x", "labels": {"app": "web"}}, "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "selector": {}}, "when": "2025-11-25T10:00:00Z", "num": "80", "e": ""});
        assert_eq!(
            to_yaml(&v),
            "e: \"\"\nmetadata:\n  labels:\n    app: web\n  name: x\nnum: \"80\"\nspec:\n  ports:\n  - port: 80\n    protocol: TCP\n  selector: {}\nwhen: \"2025-11-25T10:00:00Z\"\n"
        );
    }

    #[test]
    fn multiline_strings_are_literal_blocks() {
        let v = json!({"a": {"k": "{\"x\":1}\n"}});
        assert_eq!(to_yaml(&v), "a:\n  k: |\n    {\"x\":1}\n");
    }
}
