//! kubectl's go-template printer (`-o go-template=…`, Go text/template over the object's JSON),
//! for what the Kubernetes tutorials write: fields (`{{.spec.clusterIP}}`), `index`, `len`,
//! `range … end`, `if … else … end`, string and number literals, parentheses and `{{- -}}`
//! trimming. A missing key prints `<no value>`, as text/template does on a map. Other
//! text/template features (variables, pipes, printf, …) are refused with a message saying so:
//! never an output a real kubectl would not print.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    /// `.`
    Dot,
    /// `.a.b`, or `(…).a.b`
    Field(Option<Box<Expr>>, Vec<String>),
    Str(String),
    Int(i64),
    /// `index x 0 "k"`, `len x`
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Print(Expr),
    Range(Expr, Vec<Node>, Vec<Node>),
    If(Expr, Vec<Node>, Vec<Node>),
}

/// Runs `template` on `data`; the error is kubectl's whole message.
pub fn execute(template: &str, data: &Value) -> Result<String, String> {
    // the parser and the evaluator recurse per parenthesis and per range/if: bounded, so that
    // no text typed can exhaust the stack (the browser's is 1 MB)
    let nesting = template.matches('(').count() + template.matches("{{").count();
    if nesting > 256 {
        return Err(format!(
            "error: error parsing template {template}, template: output:1: svclab: template too large (more than 256 actions and parentheses)"
        ));
    }
    let nodes = parse(template).map_err(|e| {
        format!("error: error parsing template {template}, template: output:1: {e}")
    })?;
    let mut out = String::new();
    run(&nodes, data, &mut out).map_err(|e| {
        format!("error: error executing template \"{template}\": template: output:1: executing \"output\" {e}")
    })?;
    Ok(out)
}

/// What a block ended with (`{{end}}` or `{{else}}`), for the caller that opened it.
enum Close {
    End,
    Else,
    Eof,
}

fn parse(t: &str) -> Result<Vec<Node>, String> {
    let mut rest = t;
    let (nodes, close) = parse_block(&mut rest)?;
    match close {
        Close::Eof => Ok(nodes),
        Close::End => Err("unexpected {{end}}".into()),
        Close::Else => Err("unexpected {{else}}".into()),
    }
}

fn parse_block(rest: &mut &str) -> Result<(Vec<Node>, Close), String> {
    let mut nodes = Vec::new();
    loop {
        let Some(open) = rest.find("{{") else {
            if !rest.is_empty() {
                nodes.push(Node::Text(rest.to_string()));
            }
            *rest = "";
            return Ok((nodes, Close::Eof));
        };
        let mut text = &rest[..open];
        let mut action = &rest[open + 2..];
        // `{{- ` trims the text before, ` -}}` the text after
        if let Some(a) = action.strip_prefix("- ") {
            text = text.trim_end();
            action = a;
        }
        if !text.is_empty() {
            nodes.push(Node::Text(text.to_string()));
        }
        let close = find_close(action).ok_or("unclosed action")?;
        let mut inner = &action[..close];
        let mut after = &action[close + 2..];
        if let Some(i) = inner.strip_suffix(" -") {
            inner = i;
            after = after.trim_start();
        }
        *rest = after;
        let inner = inner.trim();
        let (word, args) = inner
            .split_once(char::is_whitespace)
            .map_or((inner, ""), |(w, a)| (w, a.trim()));
        match word {
            "end" => return Ok((nodes, Close::End)),
            "else" => return Ok((nodes, Close::Else)),
            "range" | "if" => {
                let cond = parse_expr(args)?;
                let (body, close) = parse_block(rest)?;
                let alt = match close {
                    Close::Else => match parse_block(rest)? {
                        (alt, Close::End) => alt,
                        _ => return Err("unexpected EOF".into()),
                    },
                    Close::End => Vec::new(),
                    Close::Eof => return Err("unexpected EOF".into()),
                };
                nodes.push(if word == "range" {
                    Node::Range(cond, body, alt)
                } else {
                    Node::If(cond, body, alt)
                });
            }
            "" => return Err("missing value for command".into()),
            _ => nodes.push(Node::Print(parse_expr(inner)?)),
        }
    }
}

/// The `}}` closing an action (not one inside a string literal).
fn find_close(action: &str) -> Option<usize> {
    let b = action.as_bytes();
    let (mut i, mut quoted) = (0, false);
    while i + 1 < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'}' if !quoted && b[i + 1] == b'}' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Str(String),
    Int(i64),
    Ident(String),
    /// `.a.b` (empty: `.`)
    Fields(Vec<String>),
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                chars.next();
                out.push(if c == '(' { Tok::Open } else { Tok::Close });
            }
            '"' => {
                chars.next();
                let mut lit = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => lit.push('\n'),
                            Some((_, 't')) => lit.push('\t'),
                            Some((_, x)) => lit.push(x),
                            None => return Err("unterminated quoted string".into()),
                        },
                        Some((_, x)) => lit.push(x),
                        None => return Err("unterminated quoted string".into()),
                    }
                }
                out.push(Tok::Str(lit));
            }
            _ => {
                let end = s[i..]
                    .find(|ch: char| ch.is_whitespace() || ch == '(' || ch == ')')
                    .map_or(s.len(), |e| i + e);
                let word = &s[i..end];
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
                out.push(word_token(word)?);
            }
        }
    }
    Ok(out)
}

fn word_token(word: &str) -> Result<Tok, String> {
    if let Some(path) = word.strip_prefix('.') {
        if path.is_empty() {
            return Ok(Tok::Fields(Vec::new()));
        }
        let fields: Vec<String> = path.split('.').map(str::to_string).collect();
        if fields.iter().any(|f| f.is_empty()) {
            return Err(format!("unexpected . after term \"{word}\""));
        }
        return Ok(Tok::Fields(fields));
    }
    if let Ok(n) = word.parse::<i64>() {
        return Ok(Tok::Int(n));
    }
    if word.starts_with('$') || word == "|" || word.contains(":=") {
        return Err(format!(
            "svclab's go-template has fields, index, len, range, if and literals, not variables or pipes: {word}"
        ));
    }
    if word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok(Tok::Ident(word.to_string()));
    }
    Err(format!("unexpected \"{word}\" in command"))
}

fn parse_expr(s: &str) -> Result<Expr, String> {
    let toks = tokens(s)?;
    let mut pos = 0;
    let e = parse_command(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(format!("unexpected {:?} in operand", toks[pos]));
    }
    Ok(e)
}

/// A function call with its arguments, or one operand.
fn parse_command(toks: &[Tok], pos: &mut usize) -> Result<Expr, String> {
    match toks.get(*pos) {
        Some(Tok::Ident(f)) => {
            *pos += 1;
            match f.as_str() {
                "index" | "len" => {}
                "true" | "false" | "nil" | "printf" | "print" | "println" | "and" | "or"
                | "not" | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "html" | "js" | "urlquery"
                | "with" | "define" | "template" | "block" | "slice" | "call" => {
                    return Err(format!(
                        "svclab's go-template has fields, index, len, range, if and literals, not {f}"
                    ))
                }
                _ => return Err(format!("function \"{f}\" not defined")),
            }
            let mut args = Vec::new();
            while *pos < toks.len() && toks[*pos] != Tok::Close {
                args.push(parse_operand(toks, pos)?);
            }
            Ok(Expr::Call(f.clone(), args))
        }
        _ => parse_operand(toks, pos),
    }
}

fn parse_operand(toks: &[Tok], pos: &mut usize) -> Result<Expr, String> {
    let tok = toks.get(*pos).ok_or("missing value for command")?;
    *pos += 1;
    let base = match tok {
        Tok::Fields(f) if f.is_empty() => Expr::Dot,
        Tok::Fields(f) => return Ok(Expr::Field(None, f.clone())),
        Tok::Str(s) => Expr::Str(s.clone()),
        Tok::Int(n) => Expr::Int(*n),
        Tok::Open => {
            let inner = parse_command(toks, pos)?;
            if toks.get(*pos) != Some(&Tok::Close) {
                return Err("unclosed left paren".into());
            }
            *pos += 1;
            inner
        }
        Tok::Close => return Err("unexpected right paren".into()),
        Tok::Ident(f) => return Err(format!("function \"{f}\" not defined")),
    };
    // `(…).field`: the fields follow the parenthesis directly
    if let Some(Tok::Fields(f)) = toks.get(*pos) {
        if matches!(tok, Tok::Open) && !f.is_empty() {
            *pos += 1;
            return Ok(Expr::Field(Some(Box::new(base)), f.clone()));
        }
    }
    Ok(base)
}

/// A value, or nothing (a missing key: `<no value>` when printed).
type Val<'a> = Option<std::borrow::Cow<'a, Value>>;

fn eval<'a>(e: &Expr, dot: &'a Value) -> Result<Val<'a>, String> {
    use std::borrow::Cow::{Borrowed, Owned};
    Ok(match e {
        Expr::Dot => Some(Borrowed(dot)),
        Expr::Str(s) => Some(Owned(Value::String(s.clone()))),
        Expr::Int(n) => Some(Owned(Value::from(*n))),
        Expr::Field(base, fields) => {
            let mut cur = match base {
                None => Some(Borrowed(dot)),
                Some(b) => eval(b, dot)?,
            };
            for f in fields {
                cur = match cur {
                    Some(Borrowed(v)) => field(v, f)?.map(Borrowed),
                    Some(Owned(v)) => field(&v, f)?.cloned().map(Owned),
                    None => None,
                };
            }
            cur
        }
        Expr::Call(f, args) => {
            let vals = args
                .iter()
                .map(|a| eval(a, dot))
                .collect::<Result<Vec<_>, _>>()?;
            match (f.as_str(), vals.as_slice()) {
                ("len", [Some(v)]) => Some(Owned(Value::from(match &**v {
                    Value::Array(a) => a.len(),
                    Value::Object(m) => m.len(),
                    Value::String(s) => s.len(),
                    other => {
                        return Err(format!("error calling len: len of type {}", go_type(other)))
                    }
                }))),
                ("len", _) => return Err("wrong number of args for len: want 1".into()),
                ("index", [first, keys @ ..]) => {
                    let mut cur = first.clone();
                    for k in keys {
                        let Some(c) = cur else {
                            return Err("error calling index: index of untyped nil".into());
                        };
                        let k = k.as_deref().unwrap_or(&Value::Null);
                        cur = match (&*c, k) {
                            (Value::Array(a), Value::Number(n)) => {
                                let i = n.as_i64().unwrap_or(-1);
                                match usize::try_from(i).ok().and_then(|i| a.get(i)) {
                                    Some(v) => Some(Owned(v.clone())),
                                    None => {
                                        return Err(format!(
                                            "error calling index: index out of range: {i}"
                                        ))
                                    }
                                }
                            }
                            (Value::Object(m), Value::String(s)) => m.get(s).cloned().map(Owned),
                            (other, _) => {
                                return Err(format!(
                                    "error calling index: cannot index slice/array with type {}",
                                    go_type(other)
                                ))
                            }
                        };
                    }
                    cur
                }
                _ => return Err(format!("wrong number of args for {f}")),
            }
        }
    })
}

fn field<'a>(v: &'a Value, name: &str) -> Result<Option<&'a Value>, String> {
    match v {
        Value::Object(m) => Ok(m.get(name)),
        other => Err(format!(
            "at <.{name}>: can't evaluate field {name} in type {}",
            go_type(other)
        )),
    }
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "interface {}",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn truthy(v: &Val) -> bool {
    match v.as_deref() {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
    }
}

fn run(nodes: &[Node], dot: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Print(e) => match eval(e, dot)? {
                Some(v) => print(&v, out),
                None => out.push_str("<no value>"),
            },
            Node::If(c, body, alt) => {
                let v = eval(c, dot)?;
                run(if truthy(&v) { body } else { alt }, dot, out)?;
            }
            Node::Range(c, body, alt) => {
                let v = eval(c, dot)?;
                let items: Vec<&Value> = match v.as_deref() {
                    Some(Value::Array(a)) => a.iter().collect(),
                    // a map ranges over its values in key order
                    Some(Value::Object(m)) => m.values().collect(),
                    None | Some(Value::Null) => Vec::new(),
                    Some(other) => {
                        return Err(format!("range can't iterate over {}", plain(other)));
                    }
                };
                if items.is_empty() {
                    run(alt, dot, out)?;
                }
                for item in items {
                    run(body, item, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Go's `fmt.Sprint` of a decoded JSON value (also what custom-columns prints).
pub(crate) fn plain(v: &Value) -> String {
    let mut s = String::new();
    print(v, &mut s);
    s
}

/// Go's `%v` of a decoded JSON value: maps as `map[k:v]` in key order, lists as `[a b]`.
fn print(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push_str("map[");
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                print(x, out);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tutorial_templates() {
        let svc = json!({"metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"}]}});
        // (template, what kubectl prints)
        let cases = [
            ("{{(index .spec.ports 0).nodePort}}", "31000"),
            ("{{.metadata.name}}:{{.metadata.nope}}", "web:<no value>"),
            ("{{index .metadata.labels \"app\"}}", "web"),
            (
                "{{range .spec.ports}}{{.port}}/{{.protocol}}{{\"\\n\"}}{{end}}",
                "80/TCP\n",
            ),
            (
                "{{len .spec.ports}} {{.spec.ports}}",
                "1 [map[nodePort:31000 port:80 protocol:TCP]]",
            ),
            ("{{if .spec.x}}a{{else}}b{{end}}", "b"),
            ("x {{- .metadata.name -}} y", "xweby"),
        ];
        for (t, want) in cases {
            assert_eq!(execute(t, &svc).as_deref(), Ok(want), "{t}");
        }
        // (template, part of kubectl's error)
        let errors = [
            ("{{foo .x}}", "error parsing template {{foo .x}}, template: output:1: function \"foo\" not defined"),
            ("{{index .spec.ports 3}}", "index out of range: 3"),
            ("{{$x := 1}}", "not variables or pipes"),
            ("{{range .spec}}", "unexpected EOF"),
            (&format!("{{{{{}.x{}}}}}", "(".repeat(5000), ")".repeat(5000)), "too large"),
        ];
        for (t, want) in errors {
            let got = execute(t, &svc).unwrap_err();
            assert!(got.contains(want), "{t}: {got}");
        }
    }
}
