//! bash's `printf` builtin: the format is reused until every argument is consumed; `%s %b %c
//! %d %i %u %x %X %o %%` with flags (`-`, `0`, `+`, space), width and precision; the format's
//! backslash escapes. An argument that is not a number prints as 0 and fails the command, as
//! bash does.

use super::Output;

pub fn run(args: &[String]) -> Output {
    let Some(format) = args.first() else {
        let mut o = Output::fail("bash: printf: usage: printf [-v var] format [arguments]");
        o.code = 2;
        return o;
    };
    let mut rest = args[1..].iter();
    let mut out = String::new();
    let mut errors = String::new();
    loop {
        let used = render(format, &mut rest, &mut out, &mut errors);
        // the format is applied again while arguments remain (and it consumed some)
        if !used || rest.len() == 0 {
            break;
        }
    }
    let mut o = Output::ok();
    o.out(out);
    if !errors.is_empty() {
        o.err(errors);
        o.code = 1;
    }
    o
}

/// Renders the format once; whether it consumed an argument.
fn render(
    format: &str,
    args: &mut std::slice::Iter<String>,
    out: &mut String,
    errors: &mut String,
) -> bool {
    let mut used = false;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escape(&mut chars, out),
            '%' => {
                let mut spec = String::new();
                while let Some(&f) = chars.peek() {
                    if "-+ 0#".contains(f) || f.is_ascii_digit() || f == '.' {
                        spec.push(f);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let Some(conv) = chars.next() else {
                    out.push('%');
                    out.push_str(&spec);
                    break;
                };
                if conv == '%' {
                    out.push('%');
                    continue;
                }
                let arg = args.next();
                used |= arg.is_some();
                let arg = arg.map(String::as_str).unwrap_or("");
                let text = match conv {
                    's' => arg.to_string(),
                    'b' => {
                        let mut s = String::new();
                        let mut it = arg.chars().peekable();
                        while let Some(ch) = it.next() {
                            if ch == '\\' {
                                escape(&mut it, &mut s);
                            } else {
                                s.push(ch);
                            }
                        }
                        s
                    }
                    'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                    'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                        let n = number(arg, errors);
                        match conv {
                            'x' => format!("{n:x}"),
                            'X' => format!("{n:X}"),
                            'o' => format!("{n:o}"),
                            _ => n.to_string(),
                        }
                    }
                    other => {
                        errors.push_str(&format!(
                            "bash: printf: `{other}': invalid format character\n"
                        ));
                        return used;
                    }
                };
                out.push_str(&pad(&spec, conv, text));
            }
            other => out.push(other),
        }
    }
    used
}

/// A number argument as bash reads it (a leading quote gives the character's code); 0 and an
/// error for anything else.
fn number(arg: &str, errors: &mut String) -> i64 {
    if arg.is_empty() {
        return 0;
    }
    if let Some(ch) = arg.strip_prefix(['\'', '"']).and_then(|s| s.chars().next()) {
        return i64::from(u32::from(ch));
    }
    let parsed = if let Some(hex) = arg.strip_prefix("0x").or_else(|| arg.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16).ok()
    } else if arg.len() > 1 && arg.starts_with('0') {
        i64::from_str_radix(&arg[1..], 8).ok()
    } else {
        arg.parse().ok()
    };
    parsed.unwrap_or_else(|| {
        errors.push_str(&format!("bash: printf: {arg}: invalid number\n"));
        0
    })
}

/// Applies flags, width and precision to a converted value.
fn pad(spec: &str, conv: char, mut text: String) -> String {
    let left = spec.contains('-');
    let numeric = !matches!(conv, 's' | 'b' | 'c');
    let (width, precision) = match spec
        .trim_start_matches(['-', '+', ' ', '0', '#'])
        .split_once('.')
    {
        Some((w, p)) => (w.parse().unwrap_or(0), Some(p.parse().unwrap_or(0))),
        None => (
            spec.trim_start_matches(['-', '+', ' ', '0', '#'])
                .parse()
                .unwrap_or(0),
            None,
        ),
    };
    if let (Some(p), false) = (precision, numeric) {
        text = text.chars().take(p).collect();
    }
    if numeric && !text.starts_with('-') {
        if spec.contains('+') {
            text.insert(0, '+');
        } else if spec.contains(' ') {
            text.insert(0, ' ');
        }
    }
    let len = text.chars().count();
    if len >= width {
        return text;
    }
    let fill = width - len;
    if left {
        text + &" ".repeat(fill)
    } else if numeric && spec.starts_with('0') {
        let sign = usize::from(text.starts_with(['-', '+', ' ']));
        let (s, digits) = text.split_at(sign);
        format!("{s}{}{digits}", "0".repeat(fill))
    } else {
        " ".repeat(fill) + &text
    }
}

/// One backslash escape (the backslash already read).
fn escape(chars: &mut std::iter::Peekable<std::str::Chars>, out: &mut String) {
    let Some(c) = chars.next() else {
        out.push('\\');
        return;
    };
    match c {
        'n' => out.push('\n'),
        't' => out.push('\t'),
        'r' => out.push('\r'),
        'a' => out.push('\u{7}'),
        'b' => out.push('\u{8}'),
        'f' => out.push('\u{c}'),
        'v' => out.push('\u{b}'),
        'e' | 'E' => out.push('\u{1b}'),
        '\\' => out.push('\\'),
        '"' => out.push('"'),
        '\'' => out.push('\''),
        '0'..='7' => {
            let mut v = c.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match chars.peek().and_then(|d| d.to_digit(8)) {
                    Some(d) => {
                        v = v * 8 + d;
                        chars.next();
                    }
                    None => break,
                }
            }
            out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
        }
        other => {
            out.push('\\');
            out.push(other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::run;

    fn printf(args: &[&str]) -> (String, String, i32) {
        let o = run(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        (o.stdout(), o.stderr(), o.code)
    }

    #[test]
    fn formats_as_bash_does() {
        assert_eq!(printf(&["a\\tb\\n"]).0, "a\tb\n");
        assert_eq!(printf(&["%s=%d\\n", "x", "1", "y", "2"]).0, "x=1\ny=2\n");
        assert_eq!(
            printf(&["[%5s|%-4s|%03d]", "ab", "c", "7"]).0,
            "[   ab|c   |007]"
        );
        assert_eq!(printf(&["%x %o %%\\n", "255", "8"]).0, "ff 10 %\n");
        assert_eq!(printf(&["%.2s\\n", "abcdef"]).0, "ab\n");
        assert_eq!(printf(&["%b", "x\\ny"]).0, "x\ny");
        assert_eq!(printf(&["%s\\n"]).0, "\n");
        let (out, err, code) = printf(&["%d\\n", "abc"]);
        assert_eq!((out.as_str(), code), ("0\n", 1));
        assert_eq!(err, "bash: printf: abc: invalid number\n");
        assert_eq!(printf(&[]).2, 2);
    }
}
