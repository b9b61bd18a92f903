//! Shell-like word splitting (quotes, backslashes, pipes) and the filters a trainer pipes
//! kubectl into (`grep`, `head`, `tail`, `wc -l`).

use super::{Output, Stream};

/// Bash's expansions outside single quotes: `$NAME` and `${NAME}` (empty when unset), and each
/// `$(…)` replaced by what `run` prints for the command inside, trailing newlines removed. The
/// result is not re-read as quotes or operators: outside double quotes it is escaped so that
/// only its blanks split words, inside them so that it stays one word — and whole in the value
/// of an assignment before a command's name (when `at_command_start`: a command line, not a
/// `for` loop's word list).
pub fn substitute(
    line: &str,
    at_command_start: bool,
    var: &dyn Fn(&str) -> Option<String>,
    run: &mut dyn FnMut(&str) -> String,
) -> Result<String, String> {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let (mut i, mut single, mut double) = (0, false, false);
    // where the current word starts in `out`: an assignment's value (`NAME=$(…)`) is not split
    let mut word_start = 0;
    while i < b.len() {
        let c = b[i];
        if !single && !double && (c as char).is_ascii_whitespace() {
            word_start = out.len() + 1;
        }
        if c == b'\\' && !single && i + 1 < b.len() {
            // the backslash and the whole character it escapes (which may be several bytes)
            let next = line[i + 1..].chars().next().map_or(0, char::len_utf8);
            out.push_str(&line[i..i + 1 + next]);
            i += 1 + next;
            continue;
        }
        if c == b'\'' && !double {
            single = !single;
        } else if c == b'"' && !single {
            double = !double;
        } else if c == b'$' && !single {
            let (printed, next) = if b.get(i + 1) == Some(&b'(') {
                let end = closing_paren(line, i + 2)
                    .ok_or("unexpected EOF while looking for matching `)'")?;
                (run(&line[i + 2..end]), end + 1)
            } else if b.get(i + 1) == Some(&b'{') {
                let end = line[i..]
                    .find('}')
                    .map(|e| i + e)
                    .ok_or("bad substitution")?;
                let name = &line[i + 2..end];
                if !is_name(name) {
                    return Err(format!("{}: bad substitution", &line[i..=end]));
                }
                (var(name).unwrap_or_default(), end + 1)
            } else {
                let len = line[i + 1..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(line.len() - i - 1);
                let name = &line[i + 1..i + 1 + len];
                if len == 0 && b.get(i + 1) == Some(&b'?') {
                    // the exit status of the last command
                    (var("?").unwrap_or_else(|| "0".into()), i + 2)
                } else if !is_name(name) {
                    // a lone `$` (or `$1`): left as it is
                    out.push('$');
                    i += 1;
                    continue;
                } else {
                    (var(name).unwrap_or_default(), i + 1 + len)
                }
            };
            // bash's assignments come before the command's name: `X=$(…) cmd`, not `cmd a=$(…)`
            let as_value = !double
                && at_command_start
                && out.get(..word_start).is_some_and(|before| {
                    before.split_whitespace().all(|w| assignment(w).is_some())
                })
                && out
                    .get(word_start..)
                    .and_then(|w| w.split_once('='))
                    .is_some_and(|(name, _)| is_name(name));
            for ch in printed.trim_end_matches('\n').chars() {
                let special = if double {
                    matches!(ch, '"' | '\\' | '$' | '`')
                } else if as_value {
                    // kept whole, blanks and newlines too
                    ch.is_whitespace() || "'\"\\$`|&;()<>#*?[]{}~".contains(ch)
                } else {
                    !ch.is_whitespace() && "'\"\\$`|&;()<>#*?[]{}~".contains(ch)
                };
                if special {
                    out.push('\\');
                }
                // a newline splits words like a blank (bash's IFS)
                out.push(if ch == '\n' && !double && !as_value {
                    ' '
                } else {
                    ch
                });
            }
            i = next;
            continue;
        }
        let ch = line[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    Ok(out)
}

/// How a command of a list is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// the first command, or after `;` or `&`: it always runs
    Always,
    /// after `&&`: only when the command before succeeded
    And,
    /// after `||`: only when the command before failed
    Or,
}

/// Splits a line into bash's list of commands at the `;`, `&&`, `||` and `&` outside quotes and
/// `$(…)`. A command ended by `&` runs in the background; the lab runs it at once (its output
/// comes first) and the list goes on. `|` stays inside the pipeline it belongs to.
pub fn split_list(line: &str) -> Result<Vec<(Join, &str)>, String> {
    let b = line.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut join) = (0usize, Join::Always);
    let (mut single, mut double) = (false, false);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && !single {
            // the backslash and the whole character it escapes
            i += 1 + line[i + 1..].chars().next().map_or(0, char::len_utf8);
            continue;
        }
        if c == b'\'' && !double {
            single = !single;
        } else if c == b'"' && !single {
            double = !double;
        } else if !single && c == b'$' && b.get(i + 1) == Some(&b'(') {
            // the substitution's own list belongs to it
            i = closing_paren(line, i + 2).map_or(b.len(), |e| e + 1);
            continue;
        } else if c == b'&' && (i > 0 && b[i - 1] == b'>' || b.get(i + 1) == Some(&b'>')) {
            // a redirection (`2>&1`, `&>`), not an operator
        } else if !single && !double && matches!(c, b';' | b'&' | b'|') {
            let two = b.get(i + 1) == Some(&c);
            let (op, next) = match (c, two) {
                (b'&', true) => ("&&", Join::And),
                (b'|', true) => ("||", Join::Or),
                (b'|', false) => {
                    i += 1;
                    continue;
                }
                (b';', _) => (";", Join::Always),
                _ => ("&", Join::Always),
            };
            let cmd = &line[start..i];
            if cmd.trim().is_empty() {
                return Err(format!("syntax error near unexpected token `{op}'"));
            }
            parts.push((join, cmd));
            join = next;
            i += op.len();
            start = i;
            continue;
        }
        i += line[i..].chars().next().map_or(1, char::len_utf8);
    }
    let rest = &line[start..];
    if rest.trim().is_empty() {
        if matches!(join, Join::And | Join::Or) {
            return Err("syntax error: unexpected end of file".into());
        }
    } else {
        parts.push((join, rest));
    }
    Ok(parts)
}

/// A command of a list: a pipeline, or a `for NAME in WORDS; do LIST; done` loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Compound {
    Simple(String),
    For {
        var: String,
        words: String,
        body: Vec<Command>,
    },
}

/// A command with the way it joins the one before it.
pub type Command = (Join, Compound);

/// Groups a split list's `for … ; do … ; done` items into loops (nested ones too), as bash's
/// grammar reads them on one line.
pub fn group_loops(list: &[(Join, &str)]) -> Result<Vec<Command>, String> {
    let mut i = 0;
    let out = group(list, &mut i, false)?;
    Ok(out)
}

fn group(list: &[(Join, &str)], i: &mut usize, in_loop: bool) -> Result<Vec<Command>, String> {
    let mut out = Vec::new();
    while *i < list.len() {
        let (join, text) = list[*i];
        let t = text.trim();
        if t == "done" {
            if !in_loop {
                return Err("syntax error near unexpected token `done'".into());
            }
            *i += 1;
            return Ok(out);
        }
        if let Some(header) = t.strip_prefix("for ") {
            let parts: Vec<&str> = header.trim().splitn(2, char::is_whitespace).collect();
            let var = parts[0].to_string();
            if !is_name(&var) {
                return Err(format!("`{var}': not a valid identifier"));
            }
            let rest = parts.get(1).map_or("", |r| r.trim());
            let words = match rest.strip_prefix("in") {
                Some(w) if w.is_empty() || w.starts_with(char::is_whitespace) => w.trim(),
                _ => return Err("syntax error near unexpected token `do'".into()),
            };
            *i += 1;
            // the next item is `do CMD` (or `do` alone, then the commands)
            let Some(&(_, first)) = list.get(*i) else {
                return Err("syntax error: unexpected end of file".into());
            };
            let first = first.trim_start();
            let body_start = match first.strip_prefix("do") {
                Some(r) if r.is_empty() || r.starts_with(char::is_whitespace) => r.trim(),
                _ => {
                    return Err(format!(
                        "syntax error near unexpected token `{}'",
                        first.split_whitespace().next().unwrap_or("")
                    ))
                }
            };
            // rewrite the `do …` item as its command, then read the body up to its `done`
            let mut rest_list: Vec<(Join, &str)> = Vec::new();
            if !body_start.is_empty() {
                rest_list.push((Join::Always, body_start));
            }
            rest_list.extend_from_slice(&list[*i + 1..]);
            let mut j = 0;
            let body = group(&rest_list, &mut j, true)?;
            if j > rest_list.len() || !closed_at(&rest_list, j) {
                return Err("syntax error: unexpected end of file".into());
            }
            *i += 1 + j - usize::from(!body_start.is_empty());
            out.push((
                join,
                Compound::For {
                    var,
                    words: words.to_string(),
                    body,
                },
            ));
            continue;
        }
        out.push((join, Compound::Simple(text.to_string())));
        *i += 1;
    }
    if in_loop {
        return Err("syntax error: unexpected end of file".into());
    }
    Ok(out)
}

/// Whether the item before position `j` closed the loop (it was `done`).
fn closed_at(list: &[(Join, &str)], j: usize) -> bool {
    j > 0 && list.get(j - 1).is_some_and(|(_, t)| t.trim() == "done")
}

/// A shell variable name: a letter or `_`, then letters, digits and `_`.
fn is_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `NAME=value` (a word after quote removal): the variable assignment it is, if it is one.
pub fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    is_name(name).then_some((name, value))
}

/// The index of the `)` closing a `$(` whose contents start at `from` (nested parentheses and
/// quotes inside are skipped).
fn closing_paren(line: &str, from: usize) -> Option<usize> {
    let b = line.as_bytes();
    let (mut depth, mut single, mut double) = (0usize, false, false);
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' if !single => i += 1,
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'(' if !single && !double => depth += 1,
            b')' if !single && !double => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Marks a redirection among a command's words (`split_pipeline` writes it, `redirect` reads it).
const REDIRECT: char = '\u{1}';

/// Takes a command's redirections out of its words.
pub fn take_redirections(words: &mut Vec<String>) -> Vec<String> {
    let (r, w): (Vec<String>, Vec<String>) = std::mem::take(words)
        .into_iter()
        .partition(|w| w.starts_with(REDIRECT));
    *words = w;
    r.into_iter()
        .map(|x| x[REDIRECT.len_utf8()..].to_string())
        .collect()
}

/// Where a redirected stream goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Stream(Stream),
    Null,
    /// the n-th file of the redirections
    File(usize),
}

/// A path as the lab's files are kept by (`./web.yaml` is `web.yaml`).
pub fn lab_path(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

/// What a command's redirections wrote to files: (path, appended, text).
pub type Writes = Vec<(String, bool, String)>;

/// Sends a command's output where its redirections say, left to right as bash applies them:
/// `N>/dev/null` discards, `N>&M` joins stream M's destination, `&>` both, `>FILE` and
/// `>>FILE` write (or append) to a file of the lab's shell.
pub fn redirect(out: Output, redirections: &[String]) -> (Output, Writes) {
    if redirections.is_empty() {
        return (out, Vec::new());
    }
    let mut dest = [Dest::Stream(Stream::Out), Dest::Stream(Stream::Err)];
    let mut files: Writes = Vec::new();
    for r in redirections {
        let Some((fd, rest)) = r.split_once('>') else {
            continue;
        };
        let (append, target) = match rest.strip_prefix('>') {
            Some(t) => (true, t),
            None => (false, rest),
        };
        let to = match target.strip_prefix('&') {
            Some("1") => dest[0],
            Some("2") => dest[1],
            Some(_) => continue,
            None if target == "/dev/null" => Dest::Null,
            None => {
                let path = lab_path(target).to_string();
                files.push((path, append, String::new()));
                Dest::File(files.len() - 1)
            }
        };
        match fd {
            "1" => dest[0] = to,
            "2" => dest[1] = to,
            _ => dest = [to, to],
        }
    }
    let mut o = Output {
        code: out.code,
        ..Output::default()
    };
    for (s, t) in out.chunks {
        match if s == Stream::Out { dest[0] } else { dest[1] } {
            Dest::Stream(d) => o.chunks.push((d, t)),
            Dest::Null => {}
            Dest::File(i) => files[i].2.push_str(&t),
        }
    }
    (o, files)
}

/// Splits a line into words, honouring single quotes, double quotes and backslashes.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    // (redirections inside `sh -c` scripts and ssh commands are dropped with their targets)
    Ok(split_pipeline(line)?
        .into_iter()
        .flatten()
        .filter(|w| !w.starts_with(REDIRECT))
        .collect())
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
            '<' => {
                // `< FILE` and a here-document `<<[-]WORD` (its lines come with the line that
                // opens it): marked words the pipeline reads its standard input from
                if in_word {
                    if let Some(c) = cmds.last_mut() {
                        c.push(std::mem::take(&mut cur));
                    }
                    in_word = false;
                }
                let here = chars.next_if_eq(&'<').is_some();
                if here {
                    chars.next_if_eq(&'-');
                }
                while chars.next_if(|d| d.is_whitespace()).is_some() {}
                let mut target = String::new();
                while let Some(d) =
                    chars.next_if(|d| !d.is_whitespace() && !matches!(d, '|' | ';' | '&'))
                {
                    if !matches!(d, '\'' | '"') {
                        target.push(d);
                    }
                }
                if target.is_empty() {
                    return Err("syntax error near unexpected token `newline'".into());
                }
                let marker = if here {
                    "<<".to_string()
                } else {
                    format!("<{target}")
                };
                if let Some(c) = cmds.last_mut() {
                    c.push(format!("{REDIRECT}{marker}"));
                }
            }
            '>' => {
                // `[1|2|&]>[>]TARGET` and `N>&M`: kept as one marked word for `redirect`
                let fd = if in_word && matches!(cur.as_str(), "1" | "2" | "&") {
                    in_word = false;
                    std::mem::take(&mut cur)
                } else {
                    if in_word {
                        if let Some(c) = cmds.last_mut() {
                            c.push(std::mem::take(&mut cur));
                        }
                        in_word = false;
                    }
                    "1".into()
                };
                let append = chars.next_if_eq(&'>').is_some();
                let mut target = String::new();
                if chars.peek() == Some(&'&') {
                    chars.next();
                    target.push('&');
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        target.push(d);
                    }
                } else {
                    while chars.next_if(|d| d.is_whitespace()).is_some() {}
                    while let Some(d) = chars.next_if(|d| !d.is_whitespace() && *d != '|') {
                        target.push(d);
                    }
                }
                if target.is_empty() || target == "&" {
                    return Err("syntax error near unexpected token `newline'".into());
                }
                let op = if append { ">>" } else { ">" };
                if let Some(c) = cmds.last_mut() {
                    c.push(format!("{REDIRECT}{fd}{op}{target}"));
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

/// Whether a pipeline's command is one of the filters below (others read their standard input
/// themselves).
pub fn is_filter(cmd: &str) -> bool {
    matches!(
        cmd,
        "grep" | "egrep" | "head" | "tail" | "wc" | "less" | "more" | "sort"
    )
}

/// The delimiter of the here-document a line opens (`<<EOF`, `<<-EOF`, `<<'EOF'`), outside
/// quotes.
pub fn heredoc_delimiter(line: &str) -> Option<String> {
    let (mut single, mut double) = (false, false);
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'<' if !single && !double && b.get(i + 1) == Some(&b'<') => {
                let rest = line[i + 2..].trim_start_matches('-').trim_start();
                let word: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, '|' | ';' | '&'))
                    .filter(|c| !matches!(c, '\'' | '"'))
                    .collect();
                return Some(word).filter(|w| !w.is_empty());
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A script's command lines as a terminal runs them: blank and `#` lines dropped, and the lines
/// of a here-document, up to its delimiter, joined to the line that opens it.
pub fn command_lines<I: Iterator<Item = String>>(mut lines: I) -> impl Iterator<Item = String> {
    std::iter::from_fn(move || loop {
        let line = lines.next()?;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut text = t.to_string();
        if let Some(word) = heredoc_delimiter(t) {
            for body in lines.by_ref() {
                text.push('\n');
                text.push_str(&body);
                if body.trim_start_matches('\t') == word {
                    break;
                }
            }
        }
        return Some(text);
    })
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

    /// The one word a substitution made, back without its escapes.
    fn run_arg(sub: &mut dyn FnMut(&str) -> Result<String, String>, line: &str) -> String {
        let w = split_words(&sub(line).unwrap()).unwrap();
        w[1..].join(" ")
    }

    #[test]
    fn expansions_as_bash_makes_them() {
        let var = |n: &str| (n == "P").then(|| "3000".to_string());
        let mut run = |cmd: &str| match cmd {
            "minikube ip" => "192.168.49.2\n".to_string(),
            "list" => "a b\n'c'\n".to_string(),
            other => format!("[{other}]"),
        };
        let mut sub = |l: &str| substitute(l, true, &var, &mut run);
        assert_eq!(
            sub("curl http://$(minikube ip):$P/").unwrap(),
            "curl http://192.168.49.2:3000/"
        );
        assert_eq!(
            sub("echo ${P}x $Q. '$P' \"$P\"").unwrap(),
            "echo 3000x . '$P' \"3000\""
        );
        // output is split on blanks only: its quotes are escaped, not re-read
        assert_eq!(sub("echo $(list)").unwrap(), "echo a b \\'c\\'");
        assert_eq!(
            split_words(&sub("echo $(list)").unwrap()).unwrap(),
            ["echo", "a", "b", "'c'"]
        );
        assert_eq!(
            split_words(&sub("echo \"$(list)\"").unwrap()).unwrap(),
            ["echo", "a b\n'c'"]
        );
        // the command inside is handed over whole (the shell expands it when it runs it),
        // up to its own `)`: not one inside quotes or a nested `$(…)`
        assert_eq!(
            run_arg(&mut sub, "echo $(echo $(x) ')')"),
            "[echo $(x) ')']"
        );
        assert_eq!(sub("echo $ 5$ $1").unwrap(), "echo $ 5$ $1");
        assert_eq!(sub("echo \\é$P").unwrap(), "echo \\é3000");
        assert!(sub("echo $(unclosed").is_err());
        assert!(sub("echo ${a-b}").is_err());
        assert_eq!(assignment("NODE_PORT=31000"), Some(("NODE_PORT", "31000")));
        assert_eq!(assignment("--port=80"), None);
    }

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
