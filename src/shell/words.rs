//! Shell-like word splitting (quotes, backslashes, pipes) and the filters a trainer pipes
//! kubectl into (`grep`, `head`, `tail`, `wc -l`).

use super::{Output, Stream};

/// Splits a line into words, honouring single quotes, double quotes and backslashes.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    Ok(split_pipeline(line)?.into_iter().flatten().collect())
}

/// Splits a line into the commands of a pipeline.
pub fn split_pipeline(line: &str) -> Result<Vec<Vec<String>>, String> {
    let mut cmds: Vec<Vec<String>> = vec![Vec::new()];
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unexpected EOF while looking for matching `''".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => {
                                return Err("unexpected EOF while looking for matching `\"'".into())
                            }
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unexpected EOF while looking for matching `\"'".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    cur.push(x);
                }
            }
            '|' => {
                if in_word {
                    if let Some(c) = cmds.last_mut() {
                        c.push(std::mem::take(&mut cur));
                    }
                    in_word = false;
                }
                if cmds.last().is_some_and(|c| c.is_empty()) {
                    return Err("syntax error near unexpected token `|'".into());
                }
                cmds.push(Vec::new());
            }
            c if c.is_whitespace() => {
                if in_word {
                    if let Some(c) = cmds.last_mut() {
                        c.push(std::mem::take(&mut cur));
                    }
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        if let Some(c) = cmds.last_mut() {
            c.push(cur);
        }
    }
    if cmds.len() > 1 && cmds.last().is_some_and(|c| c.is_empty()) {
        return Err("syntax error: unexpected end of file".into());
    }
    Ok(cmds)
}

/// Runs a filter over a command's stdout; stderr passes through untouched, as on a terminal.
pub fn filter(words: &[String], input: Output) -> Output {
    let text = input.stdout();
    let mut out = Output::ok();
    for (s, t) in &input.chunks {
        if *s == Stream::Err {
            out.err(t.clone());
        }
    }
    let Some(cmd) = words.first() else { return out };
    let args = &words[1..];
    match cmd.as_str() {
        "grep" | "egrep" => {
            let mut ignore_case = false;
            let mut invert = false;
            let mut count = false;
            let (mut before, mut after) = (0usize, 0usize);
            let mut pattern = None;
            let mut i = 0;
            while i < args.len() {
                let a = args[i].as_str();
                let num = |s: &str| s.parse::<usize>().ok();
                match a {
                    "-A" | "-B" | "-C" => {
                        let n = args.get(i + 1).and_then(|s| num(s)).unwrap_or(0);
                        i += 1;
                        match a {
                            "-A" => after = n,
                            "-B" => before = n,
                            _ => (before, after) = (n, n),
                        }
                    }
                    _ if a.len() > 2
                        && (a.starts_with("-A") || a.starts_with("-B") || a.starts_with("-C"))
                        && num(&a[2..]).is_some() =>
                    {
                        let n = num(&a[2..]).unwrap_or(0);
                        match &a[..2] {
                            "-A" => after = n,
                            "-B" => before = n,
                            _ => (before, after) = (n, n),
                        }
                    }
                    _ if a.starts_with('-') && a.len() > 1 && pattern.is_none() => {
                        for c in a[1..].chars() {
                            match c {
                                'i' => ignore_case = true,
                                'v' => invert = true,
                                'c' => count = true,
                                _ => {}
                            }
                        }
                    }
                    p if pattern.is_none() => pattern = Some(p.to_string()),
                    _ => {}
                }
                i += 1;
            }
            let Some(p) = pattern else {
                out.err("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
                out.code = 2;
                return out;
            };
            let alts: Vec<String> = p
                .split('|')
                .map(|a| {
                    if ignore_case {
                        a.to_lowercase()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let lines: Vec<&str> = text.lines().collect();
            let hits: Vec<bool> = lines
                .iter()
                .map(|line| {
                    let hay = if ignore_case {
                        line.to_lowercase()
                    } else {
                        line.to_string()
                    };
                    alts.iter().any(|a| hay.contains(a.as_str())) != invert
                })
                .collect();
            let n_hits = hits.iter().filter(|h| **h).count();
            if count {
                out.out(format!("{n_hits}\n"));
            } else {
                let mut shown: Vec<bool> = vec![false; lines.len()];
                for (i, h) in hits.iter().enumerate() {
                    if *h {
                        let end = (i + after).min(lines.len().saturating_sub(1));
                        for s in &mut shown[i.saturating_sub(before)..=end] {
                            *s = true;
                        }
                    }
                }
                let context = before > 0 || after > 0;
                let mut last: Option<usize> = None;
                for (i, line) in lines.iter().enumerate() {
                    if !shown[i] {
                        continue;
                    }
                    if context && last.is_some_and(|l| l + 1 < i) {
                        out.out("--\n");
                    }
                    out.out(format!("{line}\n"));
                    last = Some(i);
                }
            }
            out.code = if n_hits > 0 { 0 } else { 1 };
        }
        "head" | "tail" => {
            let n: usize = args
                .iter()
                .find_map(|a| {
                    a.strip_prefix("-n")
                        .map(str::to_string)
                        .filter(|s| !s.is_empty())
                        .or_else(|| a.strip_prefix('-').map(str::to_string))
                })
                .and_then(|s| s.parse().ok())
                .or_else(|| {
                    args.iter()
                        .position(|a| a == "-n")
                        .and_then(|i| args.get(i + 1))
                        .and_then(|s| s.parse().ok())
                })
                .unwrap_or(10);
            let lines: Vec<&str> = text.lines().collect();
            let pick: Vec<&str> = if cmd == "head" {
                lines.iter().take(n).copied().collect()
            } else {
                lines
                    .iter()
                    .skip(lines.len().saturating_sub(n))
                    .copied()
                    .collect()
            };
            for l in pick {
                out.out(format!("{l}\n"));
            }
        }
        "wc" => {
            let n = text.lines().count();
            out.out(format!("{n}\n"));
        }
        "cat" | "less" | "more" => out.out(text),
        "sort" => {
            let mut lines: Vec<&str> = text.lines().collect();
            crate::sim::order::sort(&mut lines);
            for l in lines {
                out.out(format!("{l}\n"));
            }
        }
        other => {
            out.err(format!("svclab: command not found: {other}\n"));
            out.code = 127;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_pipes() {
        assert_eq!(
            split_pipeline(
                r#"kubectl get svc -o jsonpath='{.items[*].metadata.name}' | grep -i "a b""#
            )
            .unwrap(),
            vec![
                vec![
                    "kubectl",
                    "get",
                    "svc",
                    "-o",
                    "jsonpath={.items[*].metadata.name}"
                ],
                vec!["grep", "-i", "a b"]
            ]
        );
    }
}
