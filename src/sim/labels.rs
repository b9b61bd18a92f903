//! Label selectors: the string syntax of k8s.io/apimachinery/pkg/labels (kubectl `-l`, `--selector`)
//! with its exact parse errors, `metav1.LabelSelector`, and the `k=v,…` formatting kubectl prints.

use crate::sim::field::{aggregate, is_qualified_name, is_valid_label_value, FieldError};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    /// Sorted and de-duplicated, as `sets.String.List()` gives them.
    pub values: Vec<String>,
}

impl Requirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let got = labels.get(&self.key);
        match self.op {
            Op::Equals | Op::DoubleEquals | Op::In => got.is_some_and(|v| self.values.contains(v)),
            Op::NotEquals | Op::NotIn => got.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => got.is_some(),
            Op::DoesNotExist => got.is_none(),
            Op::GreaterThan | Op::LessThan => {
                let Some(v) = got.and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                let Some(want) = self.values.first().and_then(|w| w.parse::<i64>().ok()) else {
                    return false;
                };
                if self.op == Op::GreaterThan {
                    v > want
                } else {
                    v < want
                }
            }
        }
    }

    fn to_selector_string(&self) -> String {
        let k = &self.key;
        match self.op {
            Op::Exists => k.clone(),
            Op::DoesNotExist => format!("!{k}"),
            Op::Equals => format!("{k}={}", self.values.join("")),
            Op::DoubleEquals => format!("{k}=={}", self.values.join("")),
            Op::NotEquals => format!("{k}!={}", self.values.join("")),
            Op::GreaterThan => format!("{k}>{}", self.values.join("")),
            Op::LessThan => format!("{k}<{}", self.values.join("")),
            Op::In => format!("{k} in ({})", self.values.join(",")),
            Op::NotIn => format!("{k} notin ({})", self.values.join(",")),
        }
    }
}

/// A parsed selector: requirements sorted by key, ANDed. Empty matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
    /// A nil `LabelSelector` matches nothing (unlike an empty one).
    pub nothing: bool,
}

impl Selector {
    pub fn everything() -> Self {
        Self::default()
    }
    pub fn nothing() -> Self {
        Self {
            requirements: Vec::new(),
            nothing: true,
        }
    }
    pub fn matches(&self, labels: &Labels) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }
    /// `labels.SelectorFromSet`: a Service selector.
    pub fn from_set(set: &Labels) -> Self {
        let requirements = set
            .iter()
            .map(|(k, v)| Requirement {
                key: k.clone(),
                op: Op::Equals,
                values: vec![v.clone()],
            })
            .collect();
        Self {
            requirements,
            nothing: false,
        }
    }
    /// `metav1.LabelSelectorAsSelector`.
    pub fn from_label_selector(ls: Option<&LabelSelector>) -> Self {
        let Some(ls) = ls else { return Self::nothing() };
        let mut reqs = Vec::new();
        if let Some(ml) = &ls.match_labels {
            for (k, v) in ml {
                reqs.push(Requirement {
                    key: k.clone(),
                    op: Op::Equals,
                    values: vec![v.clone()],
                });
            }
        }
        if let Some(exprs) = &ls.match_expressions {
            for e in exprs {
                let op = match e.operator.as_str() {
                    "In" => Op::In,
                    "NotIn" => Op::NotIn,
                    "Exists" => Op::Exists,
                    "DoesNotExist" => Op::DoesNotExist,
                    _ => return Self::nothing(),
                };
                let mut values = e.values.clone().unwrap_or_default();
                crate::sim::order::sort(&mut values);
                values.dedup();
                reqs.push(Requirement {
                    key: e.key.clone(),
                    op,
                    values,
                });
            }
        }
        crate::sim::order::sort_by(&mut reqs, |a, b| a.key.cmp(&b.key));
        Self {
            requirements: reqs,
            nothing: false,
        }
    }
    /// The equality pairs of a selector built from a set, for indexing.
    pub fn equality_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.requirements.iter().filter_map(|r| match r.op {
            Op::Equals | Op::DoubleEquals | Op::In if r.values.len() == 1 => {
                Some((r.key.as_str(), r.values[0].as_str()))
            }
            _ => None,
        })
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| r.to_selector_string())
            .collect();
        write!(f, "{}", parts.join(","))
    }
}

/// `labels.FormatLabels` / `Set.String`: `k=v` pairs sorted as whole strings, `<none>` when empty.
pub fn format_labels(labels: Option<&Labels>) -> String {
    match labels {
        Some(l) if !l.is_empty() => {
            let mut pairs: Vec<String> = l.iter().map(|(k, v)| format!("{k}={v}")).collect();
            crate::sim::order::sort(&mut pairs);
            pairs.join(",")
        }
        _ => "<none>".into(),
    }
}

/// `metav1.FormatLabelSelector`.
pub fn format_label_selector(ls: Option<&LabelSelector>) -> String {
    let Some(ls) = ls else { return "<none>".into() };
    let s = Selector::from_label_selector(Some(ls));
    let out = s.to_string();
    if out.is_empty() {
        "<none>".into()
    } else {
        out
    }
}

// ---- the string parser --------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Error,
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(s: &str) -> Option<Tok> {
    Some(match s {
        ")" => Tok::ClosedPar,
        "," => Tok::Comma,
        "!" => Tok::DoesNotExist,
        "==" => Tok::DoubleEquals,
        "=" => Tok::Equals,
        ">" => Tok::GreaterThan,
        "in" => Tok::In,
        "<" => Tok::LessThan,
        "!=" => Tok::NotEquals,
        "notin" => Tok::NotIn,
        "(" => Tok::OpenPar,
        _ => return None,
    })
}

fn is_special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn lex(input: &str) -> Vec<(Tok, String)> {
    let b = input.as_bytes();
    let mut pos = 0;
    let mut out = Vec::new();
    loop {
        while pos < b.len() && is_ws(b[pos]) {
            pos += 1;
        }
        if pos >= b.len() {
            out.push((Tok::End, String::new()));
            return out;
        }
        if is_special(b[pos]) {
            let start = pos;
            let mut last: Option<(Tok, usize)> = None;
            while pos < b.len() && is_special(b[pos]) {
                let cand = &input[start..=pos];
                if let Some(t) = keyword(cand) {
                    last = Some((t, pos + 1));
                } else if last.is_some() {
                    break;
                }
                pos += 1;
            }
            match last {
                Some((t, end)) => {
                    out.push((t, input[start..end].to_string()));
                    pos = end;
                }
                None => {
                    out.push((
                        Tok::Error,
                        format!("error expected: keyword found '{}'", &input[start..pos]),
                    ));
                }
            }
        } else {
            let start = pos;
            while pos < b.len() && !is_special(b[pos]) && !is_ws(b[pos]) {
                pos += 1;
            }
            let s = &input[start..pos];
            out.push((keyword(s).unwrap_or(Tok::Identifier), s.to_string()));
        }
    }
}

struct Parser {
    items: Vec<(Tok, String)>,
    pos: usize,
}

impl Parser {
    /// In the Values context `in` and `notin` are plain identifiers.
    fn lookahead(&self, values: bool) -> (Tok, String) {
        let (t, l) = self
            .items
            .get(self.pos)
            .cloned()
            .unwrap_or((Tok::End, String::new()));
        (
            if values && matches!(t, Tok::In | Tok::NotIn) {
                Tok::Identifier
            } else {
                t
            },
            l,
        )
    }
    fn consume(&mut self, values: bool) -> (Tok, String) {
        let r = self.lookahead(values);
        if self.pos < self.items.len() {
            self.pos += 1;
        }
        r
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut reqs = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(true);
            match tok {
                Tok::Identifier | Tok::DoesNotExist => {
                    let r = self
                        .parse_requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    let (t, l) = self.consume(true);
                    match t {
                        Tok::End => return Ok(reqs),
                        Tok::Comma => {
                            let (t2, l2) = self.lookahead(true);
                            if t2 != Tok::Identifier && t2 != Tok::DoesNotExist {
                                return Err(format!(
                                    "found '{l2}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => return Err(format!("found '{l}', expected: ',' or 'end of string'")),
                    }
                }
                Tok::End => return Ok(reqs),
                _ => {
                    return Err(format!(
                        "found '{lit}', expected: !, identifier, or 'end of string'"
                    ))
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, String> {
        let (key, op) = self.parse_key_and_infer_operator()?;
        if let Some(op) = op {
            return new_requirement(key, op, Vec::new());
        }
        let op = self.parse_operator()?;
        let values = match op {
            Op::In | Op::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        new_requirement(key, op, values)
    }

    fn parse_key_and_infer_operator(&mut self) -> Result<(String, Option<Op>), String> {
        let mut op = None;
        let (mut tok, mut lit) = self.consume(true);
        if tok == Tok::DoesNotExist {
            op = Some(Op::DoesNotExist);
            (tok, lit) = self.consume(true);
        }
        if tok != Tok::Identifier {
            return Err(format!("found '{lit}', expected: identifier"));
        }
        let errs = is_qualified_name(&lit);
        if !errs.is_empty() {
            return Err(FieldError::invalid("", lit.as_str(), &errs.join("; ")).to_string());
        }
        let (t, _) = self.lookahead(true);
        if (t == Tok::End || t == Tok::Comma) && op.is_none() {
            op = Some(Op::Exists);
        }
        Ok((lit, op))
    }

    fn parse_operator(&mut self) -> Result<Op, String> {
        let (tok, lit) = self.consume(false);
        Ok(match tok {
            Tok::In => Op::In,
            Tok::Equals => Op::Equals,
            Tok::DoubleEquals => Op::DoubleEquals,
            Tok::GreaterThan => Op::GreaterThan,
            Tok::LessThan => Op::LessThan,
            Tok::NotIn => Op::NotIn,
            Tok::NotEquals => Op::NotEquals,
            _ => {
                return Err(format!(
                    "found '{lit}', expected: in, notin, =, ==, !=, gt, lt"
                ))
            }
        })
    }

    fn parse_values(&mut self) -> Result<Vec<String>, String> {
        let (tok, lit) = self.consume(true);
        if tok != Tok::OpenPar {
            return Err(format!("found '{lit}' expected: '('"));
        }
        let (tok, lit) = self.lookahead(true);
        match tok {
            Tok::Identifier | Tok::Comma => {
                let s = self.parse_identifiers_list()?;
                let (t, _) = self.consume(true);
                if t != Tok::ClosedPar {
                    // upstream reports the literal it looked at before the list
                    return Err(format!("found '{lit}', expected: ')'"));
                }
                Ok(s)
            }
            Tok::ClosedPar => {
                self.consume(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{lit}', expected: ',', ')' or identifier")),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<Vec<String>, String> {
        let mut s: Vec<String> = Vec::new();
        let insert = |s: &mut Vec<String>, v: String| {
            if !s.contains(&v) {
                s.push(v);
            }
        };
        loop {
            let (tok, lit) = self.consume(true);
            match tok {
                Tok::Identifier => {
                    insert(&mut s, lit);
                    let (t2, l2) = self.lookahead(true);
                    match t2 {
                        Tok::Comma => continue,
                        Tok::ClosedPar => return Ok(s),
                        _ => return Err(format!("found '{l2}', expected: ',' or ')'")),
                    }
                }
                Tok::Comma => {
                    if s.is_empty() {
                        insert(&mut s, String::new());
                    }
                    let (t2, _) = self.lookahead(true);
                    if t2 == Tok::ClosedPar {
                        insert(&mut s, String::new());
                        return Ok(s);
                    }
                    if t2 == Tok::Comma {
                        self.consume(true);
                        insert(&mut s, String::new());
                    }
                }
                _ => return Err(format!("found '{lit}', expected: ',', or identifier")),
            }
        }
    }

    fn parse_exact_value(&mut self) -> Result<Vec<String>, String> {
        let (tok, _) = self.lookahead(true);
        if tok == Tok::End || tok == Tok::Comma {
            return Ok(vec![String::new()]);
        }
        let (tok, lit) = self.consume(true);
        if tok == Tok::Identifier {
            return Ok(vec![lit]);
        }
        Err(format!("found '{lit}', expected: identifier"))
    }
}

fn new_requirement(key: String, op: Op, mut values: Vec<String>) -> Result<Requirement, String> {
    crate::sim::order::sort(&mut values);
    values.dedup();
    let mut errs: Vec<String> = Vec::new();
    let kerrs = is_qualified_name(&key);
    if !kerrs.is_empty() {
        errs.push(FieldError::invalid("key", key.as_str(), &kerrs.join("; ")).to_string());
    }
    let vals_json = serde_json::Value::from(values.clone());
    match op {
        Op::In | Op::NotIn if values.is_empty() => errs.push(
            FieldError::invalid(
                "values",
                vals_json.clone(),
                "for 'in', 'notin' operators, values set can't be empty",
            )
            .to_string(),
        ),
        Op::Equals | Op::DoubleEquals | Op::NotEquals if values.len() != 1 => errs.push(
            FieldError::invalid(
                "values",
                vals_json.clone(),
                "exact-match compatibility requires one single value",
            )
            .to_string(),
        ),
        Op::Exists | Op::DoesNotExist if !values.is_empty() => errs.push(
            FieldError::invalid(
                "values",
                vals_json.clone(),
                "values set must be empty for exists and does not exist",
            )
            .to_string(),
        ),
        Op::GreaterThan | Op::LessThan => {
            if values.len() != 1 {
                errs.push(
                    FieldError::invalid(
                        "values",
                        vals_json.clone(),
                        "for 'Gt', 'Lt' operators, exactly one value is required",
                    )
                    .to_string(),
                );
            }
            for (i, v) in values.iter().enumerate() {
                if v.parse::<i64>().is_err() {
                    errs.push(
                        FieldError::invalid(
                            format!("values[{i}]"),
                            v.as_str(),
                            "for 'Gt', 'Lt' operators, the value must be an integer",
                        )
                        .to_string(),
                    );
                }
            }
        }
        _ => {}
    }
    for (i, v) in values.iter().enumerate() {
        let verrs = is_valid_label_value(v);
        if !verrs.is_empty() {
            errs.push(
                FieldError::invalid(format!("values[{i}][{key}]"), v.as_str(), &verrs.join("; "))
                    .to_string(),
            );
        }
    }
    if !errs.is_empty() {
        return Err(aggregate(&errs));
    }
    Ok(Requirement { key, op, values })
}

/// Parses a selector string as `labels.Parse` does; the error text is upstream's.
pub fn parse(input: &str) -> Result<Selector, String> {
    let items = lex(input);
    if let Some((_, msg)) = items.iter().find(|(t, _)| *t == Tok::Error) {
        // The lexer's error token surfaces through the parser as an unexpected literal.
        let mut p = Parser {
            items: items.clone(),
            pos: 0,
        };
        return match p.parse() {
            Err(e) => Err(e),
            Ok(_) => Err(msg.clone()),
        };
    }
    let mut p = Parser { items, pos: 0 };
    let mut reqs = p.parse()?;
    crate::sim::order::sort_by(&mut reqs, |a, b| a.key.cmp(&b.key));
    Ok(Selector {
        requirements: reqs,
        nothing: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parse_and_print_forms_round_trip_in_key_order() {
        let s = parse("x in (def,abc),y notin (jkl),z").unwrap();
        assert_eq!(s.to_string(), "x in (abc,def),y notin (jkl),z");
        assert_eq!(
            parse("y==jkl,x=abc,!z").unwrap().to_string(),
            "x=abc,y==jkl,!z"
        );
        assert_eq!(parse("x>2,y<8").unwrap().to_string(), "x>2,y<8");
        assert_eq!(
            parse("foo  in\t (abc)").unwrap().to_string(),
            "foo in (abc)"
        );
    }

    #[test]
    fn not_in_matches_missing_key() {
        let s = parse("env notin (prod)").unwrap();
        assert!(s.matches(&labels(&[])));
        assert!(!s.matches(&labels(&[("env", "prod")])));
        assert!(parse("x!=a").unwrap().matches(&labels(&[])));
    }

    #[test]
    fn gt_requires_integer_labels() {
        let s = parse("replicas>2").unwrap();
        assert!(s.matches(&labels(&[("replicas", "3")])));
        assert!(!s.matches(&labels(&[("replicas", "x")])));
    }

    #[test]
    fn parse_errors_are_upstream_text() {
        let cases = [
            ("app==web==api", "found '==', expected: ',' or 'end of string'"),
            ("!app=web", "found '=', expected: ',' or 'end of string'"),
            ("app,,tier", "found ',', expected: identifier after ','"),
            ("tier in (web),", "found '', expected: identifier after ','"),
            (",app", "found ',', expected: !, identifier, or 'end of string'"),
            (
                "replicas<many",
                "unable to parse requirement: values[0]: Invalid value: \"many\": for 'Gt', 'Lt' operators, the value must be an integer",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).unwrap_err(), want, "{input}");
        }
        assert!(parse("env=prod||env=dev").unwrap_err().starts_with(
            "unable to parse requirement: values[0][env]: Invalid value: \"prod||env\": a valid label must be"
        ));
    }

    #[test]
    fn format_labels_sorts_whole_strings() {
        assert_eq!(
            format_labels(Some(&labels(&[("a", "1"), ("a.b", "1")]))),
            "a.b=1,a=1"
        );
        assert_eq!(format_labels(None), "<none>");
    }
}
