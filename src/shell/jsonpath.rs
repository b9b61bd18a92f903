//! kubectl's JSONPath templates (`k8s.io/client-go/util/jsonpath`): `{.a.b}`, `[n]`, `[*]`,
//! `[a:b]`, `..name`, `[?(@.k=="v")]`, `{range …}{end}`, quoted literals; several results are
//! joined by a space; missing keys print nothing (`--allow-missing-template-keys`).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Recursive(String),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    All,
    Filter(Vec<Step>, String, Value),
}

/// `-o jsonpath-as-json`: each expression's results as one JSON array (`PrintResults` with
/// `outputJSON`), so a text literal becomes an array of one string, as kubectl prints it.
pub fn execute_as_json(template: &str, data: &Value) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for node in parse_template(template)? {
        let found = match &node {
            Node::Text(t) => vec![Value::String(t.clone())],
            Node::Path(steps) => eval(steps, data),
            Node::Range(..) => {
                let mut text = String::new();
                run(std::slice::from_ref(&node), data, &mut text)?;
                vec![Value::String(text)]
            }
        };
        out.push(Value::Array(found));
    }
    Ok(out)
}

pub fn execute(template: &str, data: &Value) -> Result<String, String> {
    let nodes = parse_template(template)?;
    let mut out = String::new();
    run(&nodes, data, &mut out)?;
    Ok(out)
}

/// `RelaxedJSONPathExpression`: `a.b`, `.a.b`, `{a.b}` and `{.a.b}` all mean `{.a.b}`
/// (used by `--sort-by` and `custom-columns`).
pub fn relaxed(expr: &str) -> Result<String, String> {
    let inner = match expr.strip_prefix('{').and_then(|e| e.strip_suffix('}')) {
        Some(e) => e,
        None => expr,
    };
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{inner}}}"))
}

/// The first value a one-expression template (`{.a.b}`) finds, as `FindResults(…)[0][0]`.
pub fn first_value(template: &str, data: &Value) -> Result<Option<Value>, String> {
    Ok(values(template, data)?.into_iter().next())
}

/// Every value a one-expression template (`{.a.b}`) finds, as `FindResults(…)[0]`.
pub fn values(template: &str, data: &Value) -> Result<Vec<Value>, String> {
    for node in parse_template(template)? {
        if let Node::Path(steps) = node {
            return Ok(eval(&steps, data));
        }
    }
    Ok(Vec::new())
}

fn parse_template(t: &str) -> Result<Vec<Node>, String> {
    let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
    let mut cur: Vec<Node> = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        match rest.find('{') {
            None => {
                cur.push(Node::Text(rest.to_string()));
                break;
            }
            Some(i) => {
                if i > 0 {
                    cur.push(Node::Text(rest[..i].to_string()));
                }
                let after = &rest[i + 1..];
                let end = find_close(after).ok_or("unclosed action")?;
                let action = after[..end].trim();
                rest = &after[end + 1..];
                if let Some(expr) = action.strip_prefix("range ") {
                    stack.push((parse_path(expr.trim())?, std::mem::take(&mut cur)));
                } else if action == "end" {
                    let (path, outer) = stack.pop().ok_or("not in range, nothing to end")?;
                    let body = std::mem::replace(&mut cur, outer);
                    cur.push(Node::Range(path, body));
                } else if (action.starts_with('"') && action.ends_with('"') && action.len() >= 2)
                    || (action.starts_with('\'') && action.ends_with('\'') && action.len() >= 2)
                {
                    cur.push(Node::Text(unescape(&action[1..action.len() - 1])));
                } else {
                    cur.push(Node::Path(parse_path(action)?));
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err("unclosed range".into());
    }
    Ok(cur)
}

fn find_close(s: &str) -> Option<usize> {
    let mut in_str: Option<char> = None;
    for (i, c) in s.char_indices() {
        match in_str {
            Some(q) if c == q => in_str = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => in_str = Some(c),
            None if c == '}' => return Some(i),
            None => {}
        }
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\r", "\r")
}

fn parse_path(expr: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let b: Vec<char> = expr.chars().collect();
    let mut i = 0;
    if b.first() == Some(&'$') {
        i = 1;
    }
    if b.get(i) == Some(&'@') {
        i += 1;
    }
    while i < b.len() {
        match b[i] {
            '.' => {
                let recursive = b.get(i + 1) == Some(&'.');
                i += if recursive { 2 } else { 1 };
                // `\.` inside a field name is a literal dot (`kubectl\.kubernetes\.io/…`)
                let mut name = String::new();
                while i < b.len() && b[i] != '.' && b[i] != '[' {
                    if b[i] == '\\' && b.get(i + 1) == Some(&'.') {
                        name.push('.');
                        i += 2;
                        continue;
                    }
                    name.push(b[i]);
                    i += 1;
                }
                if name == "*" {
                    steps.push(Step::All);
                } else if !name.is_empty() {
                    steps.push(if recursive {
                        Step::Recursive(name)
                    } else {
                        Step::Field(name)
                    });
                }
            }
            '[' => {
                let start = i + 1;
                let mut depth = 0;
                let mut j = start;
                while j < b.len() {
                    if b[j] == '[' || b[j] == '(' {
                        depth += 1;
                    } else if b[j] == ']' && depth == 0 {
                        break;
                    } else if b[j] == ']' || b[j] == ')' {
                        depth -= 1;
                    }
                    j += 1;
                }
                let inner: String = b[start..j.min(b.len())].iter().collect();
                i = j + 1;
                steps.push(parse_bracket(inner.trim())?);
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < b.len() && b[i] != '.' && b[i] != '[' {
                    i += 1;
                }
                steps.push(Step::Field(b[start..i].iter().collect()));
            }
        }
    }
    Ok(steps)
}

fn parse_bracket(inner: &str) -> Result<Step, String> {
    if inner == "*" {
        return Ok(Step::All);
    }
    if let Some(f) = inner.strip_prefix("?(").and_then(|s| s.strip_suffix(')')) {
        let (lhs, rhs) = f
            .split_once("==")
            .ok_or_else(|| format!("unsupported filter {f}"))?;
        let path = parse_path(lhs.trim())?;
        let r = rhs.trim();
        let quoted =
            (r.starts_with('"') && r.ends_with('"')) || (r.starts_with('\'') && r.ends_with('\''));
        let value = if r.len() >= 2 && quoted {
            Value::String(r[1..r.len() - 1].to_string())
        } else {
            serde_json::from_str(r).unwrap_or(Value::String(r.to_string()))
        };
        return Ok(Step::Filter(path, "==".into(), value));
    }
    let quoted = (inner.starts_with('\'') && inner.ends_with('\''))
        || (inner.starts_with('"') && inner.ends_with('"'));
    if inner.len() >= 2 && quoted {
        return Ok(Step::Field(inner[1..inner.len() - 1].to_string()));
    }
    if let Some((a, b)) = inner.split_once(':') {
        let p = |s: &str| s.trim().parse::<i64>().ok();
        return Ok(Step::Slice(p(a), p(b.split(':').next().unwrap_or(""))));
    }
    inner
        .parse::<i64>()
        .map(Step::Index)
        .map_err(|_| format!("invalid array index {inner}"))
}

fn eval(steps: &[Step], v: &Value) -> Vec<Value> {
    let mut cur = vec![v.clone()];
    for s in steps {
        let mut next = Vec::new();
        for c in &cur {
            match s {
                Step::Field(name) => {
                    if let Some(x) = c.get(name.as_str()) {
                        next.push(x.clone());
                    }
                }
                Step::Recursive(name) => collect_recursive(c, name, &mut next),
                Step::Index(n) => {
                    if let Value::Array(a) = c {
                        let idx = if *n < 0 { a.len() as i64 + n } else { *n };
                        if let Some(x) = usize::try_from(idx).ok().and_then(|i| a.get(i)) {
                            next.push(x.clone());
                        }
                    }
                }
                Step::Slice(a, b) => {
                    if let Value::Array(arr) = c {
                        let len = arr.len() as i64;
                        let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                        let from = a.map(norm).unwrap_or(0);
                        let to = b.map(norm).unwrap_or(len);
                        for i in from..to.max(from) {
                            next.push(arr[i as usize].clone());
                        }
                    }
                }
                Step::All => match c {
                    Value::Array(a) => next.extend(a.iter().cloned()),
                    Value::Object(m) => next.extend(m.values().cloned()),
                    _ => {}
                },
                Step::Filter(path, _, want) => {
                    if let Value::Array(a) = c {
                        for x in a {
                            if eval(path, x).iter().any(|got| got == want) {
                                next.push(x.clone());
                            }
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

fn collect_recursive(v: &Value, name: &str, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x.clone());
            }
            for x in m.values() {
                collect_recursive(x, name, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_recursive(x, name, out);
            }
        }
        _ => {}
    }
}

fn print_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn run(nodes: &[Node], cur: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Path(steps) => {
                let vals = eval(steps, cur);
                let texts: Vec<String> = vals.iter().map(print_value).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(steps, body) => {
                for v in eval(steps, cur) {
                    match v {
                        Value::Array(items) => {
                            for item in items {
                                run(body, &item, out)?;
                            }
                        }
                        other => run(body, &other, out)?,
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::execute;
    use serde_json::json;

    #[test]
    fn common_kubectl_templates() {
        let v = json!({"items": [{"metadata": {"name": "a"}, "status": {"addresses": [{"type": "InternalIP", "address": "1.2.3.4"}]}},
                                  {"metadata": {"name": "b"}, "status": {"addresses": [{"type": "InternalIP", "address": "1.2.3.5"}]}}]});
        assert_eq!(execute("{.items[*].metadata.name}", &v).unwrap(), "a b");
        assert_eq!(execute("{.items[0].metadata.name}", &v).unwrap(), "a");
        assert_eq!(
            execute("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", &v).unwrap(),
            "a\nb\n"
        );
        assert_eq!(
            execute(
                "{.items[*].status.addresses[?(@.type==\"InternalIP\")].address}",
                &v
            )
            .unwrap(),
            "1.2.3.4 1.2.3.5"
        );
        assert_eq!(execute("{.items[1]['metadata']['name']}", &v).unwrap(), "b");
        assert_eq!(execute("{.nothing}", &v).unwrap(), "");
        let a = json!({"metadata": {"annotations": {"a.b/c": "x"}}});
        assert_eq!(execute("{.metadata.annotations.a\\.b/c}", &a).unwrap(), "x");
    }
}
