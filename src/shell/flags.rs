//! spf13/pflag's command-line parsing as kubectl uses it: `--flag=value`, `--flag value`,
//! `-n value`, `-nvalue`, combined boolean shorthands, `--` ending the flags, and pflag's errors.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    pub takes_value: bool,
}

pub const fn val(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        takes_value: true,
    }
}
pub const fn flag(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        takes_value: false,
    }
}

/// Flags every kubectl command accepts.
pub const GLOBAL: &[Flag] = &[
    val("namespace", Some('n')),
    val("context", None),
    val("cluster", None),
    val("kubeconfig", None),
    val("user", None),
    val("request-timeout", None),
    val("v", Some('v')),
    val("server", Some('s')),
];

#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub args: Vec<String>,
    pub values: BTreeMap<&'static str, Vec<String>>,
    /// Everything after `--` (exec's command).
    pub rest: Option<Vec<String>>,
}

impl Parsed {
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
    pub fn all(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }
    pub fn has(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }
    /// A boolean flag: present (and not `=false`).
    pub fn bool(&self, long: &str) -> bool {
        match self.get(long) {
            Some(v) => v != "false",
            None => false,
        }
    }
}

/// Value flags that take a value only as `--flag=value`; alone they mean this value (pflag's
/// `NoOptDefVal`, as kubectl sets it).
const NO_OPT_DEFAULTS: &[(&str, &str)] = &[
    ("dry-run", "unchanged"),
    ("cascade", "background"),
    ("validate", "strict"),
];

pub fn parse(words: &[String], specs: &[Flag]) -> Result<Parsed, String> {
    let all: Vec<Flag> = specs.iter().chain(GLOBAL.iter()).copied().collect();
    let mut p = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            p.rest = Some(words[i..].to_vec());
            break;
        }
        if let Some(body) = w.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(f) = all.iter().find(|f| f.long == name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let no_opt_default = NO_OPT_DEFAULTS
                .iter()
                .find(|(n, _)| *n == f.long)
                .map(|(_, v)| v.to_string());
            let value = if f.takes_value {
                match inline {
                    Some(v) => v,
                    // pflag's NoOptDefVal: `--dry-run` alone does not take the next word
                    None if no_opt_default.is_some() => no_opt_default.unwrap_or_default(),
                    None if i < words.len() => {
                        i += 1;
                        words[i - 1].clone()
                    }
                    None => return Err(format!("flag needs an argument: --{name}")),
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            p.values.entry(f.long).or_default().push(value);
        } else if w.len() > 1 && w.starts_with('-') {
            let shorts: Vec<char> = w[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                let Some(f) = all.iter().find(|f| f.short == Some(c)) else {
                    return Err(format!("unknown shorthand flag: '{c}' in {w}"));
                };
                if f.takes_value {
                    let rest: String = shorts[j + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest.strip_prefix('=').map(str::to_string).unwrap_or(rest)
                    } else if i < words.len() {
                        i += 1;
                        words[i - 1].clone()
                    } else {
                        return Err(format!("flag needs an argument: '{c}' in -{c}"));
                    };
                    p.values.entry(f.long).or_default().push(value);
                    break;
                }
                p.values.entry(f.long).or_default().push("true".into());
                j += 1;
            }
        } else {
            p.args.push(w.clone());
        }
    }
    Ok(p)
}
