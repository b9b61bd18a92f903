//! A quick reader for the plain block YAML nearly every manifest is written in: block mappings
//! and sequences, plain keys, single-line plain and quoted scalars, `[]`/`{}` and one-line flow
//! lists of scalars, comments. libyaml (through serde_yaml_ng) spends ~7 µs on a 15-line
//! document; this reads it in a fraction of that. Anything outside that subset — block and
//! multi-line scalars, anchors, tags, tabs, CRLF, flow mappings, numbers other than plain
//! decimal integers, duplicate keys, and every syntax error — answers `None`, and the document
//! goes to serde_yaml_ng, which also words the errors. A test holds the two readers to the same
//! answers on every manifest of the fixtures and on mutations of them.

use serde_json::{Map, Number, Value};

/// The document as serde_yaml_ng would read it into JSON, or `None` when it is not plain
/// block YAML.
pub(crate) fn parse(text: &str) -> Option<Value> {
    // (bytes, not chars: a pattern of chars decodes every character; 0xEF also starts the
    // byte order mark)
    if text.bytes().any(|b| matches!(b, b'\t' | b'\r' | 0xEF)) {
        return None;
    }
    let mut lines: Vec<Line> = Vec::new();
    for l in text.split('\n') {
        let body = l.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.starts_with(['%', '.']) && l.len() == body.len() {
            // directives and document end markers
            return None;
        }
        lines.push(Line {
            indent: l.len() - body.len(),
            body: body.trim_end_matches(' '),
        });
    }
    let first = lines.first()?.indent;
    let mut r = Reader { lines, i: 0 };
    let v = r.node(first)?;
    (r.i == r.lines.len()).then_some(v)
}

struct Line<'a> {
    indent: usize,
    body: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    i: usize,
}

fn is_item(body: &str) -> bool {
    body == "-" || body.starts_with("- ")
}

impl Reader<'_> {
    /// The block node whose first line is the current one, at `indent`.
    fn node(&mut self, indent: usize) -> Option<Value> {
        let line = self.lines.get(self.i)?;
        if line.indent != indent {
            return None;
        }
        if is_item(line.body) {
            self.seq(indent)
        } else {
            self.map(indent)
        }
    }

    fn seq(&mut self, indent: usize) -> Option<Value> {
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.i) {
            if line.indent != indent || !is_item(line.body) {
                break;
            }
            let rest = line.body[1..].trim_start_matches(' ');
            if rest.is_empty() {
                // an item whose node starts on the next line
                return None;
            }
            if rest.starts_with('-') || key_of(rest).is_some() {
                // a compact nested node: it starts at the column after `- `
                let col = indent + (line.body.len() - rest.len());
                let body = rest;
                self.lines[self.i] = Line { indent: col, body };
                items.push(self.node(col)?);
            } else {
                items.push(scalar_value(rest)?);
                self.i += 1;
                // a more indented line would continue a multi-line scalar
                if self.lines.get(self.i).is_some_and(|l| l.indent > indent) {
                    return None;
                }
            }
        }
        Some(Value::Array(items))
    }

    fn map(&mut self, indent: usize) -> Option<Value> {
        let mut m = Map::new();
        while let Some(line) = self.lines.get(self.i) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || is_item(line.body) {
                return None;
            }
            let (key, rest) = key_of(line.body)?;
            if m.contains_key(key) {
                return None;
            }
            self.i += 1;
            let value = if rest.is_empty() || rest.starts_with('#') {
                match self.lines.get(self.i) {
                    Some(next) if next.indent > indent => self.node(next.indent)?,
                    Some(next) if next.indent == indent && is_item(next.body) => {
                        self.seq(indent)?
                    }
                    _ => Value::Null,
                }
            } else {
                let v = scalar_value(rest)?;
                if self.lines.get(self.i).is_some_and(|l| l.indent > indent) {
                    return None;
                }
                v
            };
            m.insert(key.to_string(), value);
        }
        Some(Value::Object(m))
    }
}

/// `key: rest` or `key:` with a plain key of letters, digits and `_-./` that starts with a
/// letter or `_` and is not a word that would resolve to null or a boolean.
fn key_of(body: &str) -> Option<(&str, &str)> {
    let end = body.find(':')?;
    let key = &body[..end];
    let after = &body[end + 1..];
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let mut chars = key.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        || plain_word(key).is_some()
    {
        return None;
    }
    Some((key, after.trim_start_matches(' ')))
}

/// A value written on its key's (or item's) line.
fn scalar_value(rest: &str) -> Option<Value> {
    match rest.as_bytes()[0] {
        b'"' | b'\'' => {
            let (s, after) = quoted(rest)?;
            only_comment(after).then_some(Value::String(s))
        }
        b'[' => flow_list(rest),
        b'{' => {
            let after = rest.strip_prefix("{}")?;
            only_comment(after).then(|| Value::Object(Map::new()))
        }
        _ => {
            let s = match find2(rest, b" #") {
                Some(c) => rest[..c].trim_end_matches(' '),
                None => rest,
            };
            plain(s)
        }
    }
}

fn only_comment(after: &str) -> bool {
    let t = after.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < after.len())
}

/// Where the two bytes `pair` first occur in `s` (`str::find` with a string sets up a
/// substring search, costlier than these short lines).
fn find2(s: &str, pair: &[u8; 2]) -> Option<usize> {
    s.as_bytes().windows(2).position(|w| w == pair)
}

/// A one-line flow list of scalars: `["sleep", "3600"]`, `[a, b]`, `[]`.
fn flow_list(rest: &str) -> Option<Value> {
    let mut items = Vec::new();
    let mut s = rest[1..].trim_start_matches(' ');
    if let Some(after) = s.strip_prefix(']') {
        return only_comment(after).then_some(Value::Array(items));
    }
    loop {
        let (item, after) = if s.starts_with(['"', '\'']) {
            let (q, after) = quoted(s)?;
            (Value::String(q), after)
        } else {
            let end = s.find([',', ']'])?;
            let word = s[..end].trim_end_matches(' ');
            if word.bytes().any(|b| b"[{}#\"'".contains(&b)) || find2(word, b": ").is_some() {
                return None;
            }
            (plain(word)?, &s[end..])
        };
        items.push(item);
        let after = after.trim_start_matches(' ');
        if let Some(a) = after.strip_prefix(']') {
            return only_comment(a).then_some(Value::Array(items));
        }
        s = after.strip_prefix(',')?.trim_start_matches(' ');
    }
}

/// A quoted scalar closed on its line, and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let q = s.as_bytes()[0];
    let mut out = String::new();
    let mut chars = s[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if q == b'\'' => {
                if s[1 + i + 1..].starts_with('\'') {
                    out.push('\'');
                    chars.next();
                } else {
                    return Some((out, &s[1 + i + 1..]));
                }
            }
            '"' if q == b'"' => return Some((out, &s[1 + i + 1..])),
            '\\' if q == b'"' => match chars.next()?.1 {
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '/' => out.push('/'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    None
}

/// null, true and false as YAML 1.2's core schema spells them
fn plain_word(s: &str) -> Option<Value> {
    match s {
        "null" | "Null" | "NULL" | "~" => Some(Value::Null),
        "true" | "True" | "TRUE" => Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// A plain scalar resolved as serde_yaml_ng resolves it; `None` for what this reader leaves
/// to it (anything that might be a number other than a plain decimal integer, indicators).
fn plain(s: &str) -> Option<Value> {
    let first = *s.as_bytes().first()?;
    if let Some(v) = plain_word(s) {
        return Some(v);
    }
    if first.is_ascii_digit() {
        if (s.len() > 1 && first == b'0') || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        return s
            .parse::<u64>()
            .ok()
            .map(|n| Value::Number(Number::from(n)));
    }
    // indicators, signs and dots (numbers, `.inf`), and a `: ` that no plain scalar holds
    if b"-?:,[]{}#&*!|>'\"%@`+.".contains(&first) || find2(s, b": ").is_some() || s.ends_with(':') {
        return None;
    }
    Some(Value::String(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use rand::{Rng, SeedableRng};
    use serde::Deserialize;
    use serde_json::Value;

    fn slow(text: &str) -> Option<Value> {
        Value::deserialize(serde_yaml_ng::Deserializer::from_str(text)).ok()
    }

    /// every string of a fixture that holds YAML documents, and the fixture itself
    fn corpus() -> Vec<String> {
        fn strings(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::String(s) if s.contains(":") && s.contains('\n') => {
                    if let Ok(docs) = crate::sim::yaml::split_documents(s) {
                        out.extend(docs.into_iter().map(|d| d.text));
                    }
                }
                Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
                Value::Object(m) => m.values().for_each(|v| strings(v, out)),
                _ => {}
            }
        }
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
        let mut out = Vec::new();
        for sub in ["cases", "dataplane", "editor"] {
            let Ok(entries) = std::fs::read_dir(format!("{dir}/{sub}")) else {
                continue;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).expect("fixture");
                if let Some(v) = slow(&text) {
                    strings(&v, &mut out);
                }
                out.push(text);
            }
        }
        out.extend(
            [
                "a: 1\nb:\n- x\n- y: 2\n  z: [1, \"two\", 'th''ree', four]\nc: {}\nd: []\ne: ~\n",
                "- - a\n  - b\n- c: d\n",
                "k: \"esc \\\" \\\\ \\/ \\n \\t\"  # comment\nl: 'x' #c\n",
                "a: b # c\nb: c#d\nc: http://x:80/y\nd: 0\ne: 007\nf: 1.5\ng: -1\nh: .inf\ni: 0x1F\n",
                "on: yes\nn: [y, off]\n",
                "a:\n  b:\n   c: 1\n d: 2\n",
                "a: b\n  c\n",
                "a: 'b\n  c'\n",
                "a: [b,\n  c]\n",
                "a: b\na: c\n",
                "a:\n- b\n -c\n",
                "- a\n-\n  b: c\n",
                "key: value:with:colons\nimage: busybox:1.36\n",
                "x: null\ny: Null\nz: TRUE\nw: False\n",
                "empty:\nnext: 1\n",
                "  indented: 1\n  again: 2\n",
            ]
            .map(String::from),
        );
        out
    }

    fn agree(text: &str) {
        if let Some(fast) = parse(text) {
            assert_eq!(Some(&fast), slow(text).as_ref(), "{text:?}");
        }
    }

    #[test]
    fn answers_as_serde_yaml_ng_or_not_at_all() {
        let corpus = corpus();
        let fast = corpus.iter().filter(|t| parse(t).is_some()).count();
        assert!(fast > 50, "only {fast} of {} read quickly", corpus.len());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        const PIECES: &[&str] = &[
            " ", "  ", "-", "- ", ":", ": ", "#", " #", "\"", "'", "[", "]", "{", "}", ",", "\n",
            "x", "0", "1.5", ".", "&a ", "*a", "!", "|", ">", "~", "\t", "\\", "yes", "null", "\r",
        ];
        for text in &corpus {
            agree(text);
            for _ in 0..40 {
                let mut t = text.clone();
                for _ in 0..rng.random_range(1..3) {
                    let mut at = rng.random_range(0..=t.len());
                    while !t.is_char_boundary(at) {
                        at -= 1;
                    }
                    if rng.random_bool(0.3) && at < t.len() {
                        let mut end = at + 1;
                        while !t.is_char_boundary(end) {
                            end += 1;
                        }
                        t.replace_range(at..end, "");
                    } else {
                        t.insert_str(at, PIECES[rng.random_range(0..PIECES.len())]);
                    }
                }
                agree(&t);
            }
        }
    }
}
