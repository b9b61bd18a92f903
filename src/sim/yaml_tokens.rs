//! YAML highlighting for the Manifest editor: each line cut into classed pieces (keys, strings,
//! numbers, booleans, comments, document separators). Line by line, with one piece of state: a
//! block scalar (`|`, `>`) whose deeper lines are text, not keys.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tok {
    Plain,
    Key,
    Str,
    Num,
    /// `true`, `false`, `null`, `~`, and YAML 1.1's `yes`, `no`, `on`, `off`, `y`, `n`
    Const,
    Comment,
    /// `-`, `:`, `|`, `>`, `{`, `}`, `[`, `]`, `,`
    Punct,
    /// `---`, `...`
    Separator,
}

impl Tok {
    /// The CSS class of the piece.
    pub fn class(self) -> &'static str {
        match self {
            Tok::Plain => "tok-plain",
            Tok::Key => "tok-key",
            Tok::Str => "tok-str",
            Tok::Num => "tok-num",
            Tok::Const => "tok-const",
            Tok::Comment => "tok-comment",
            Tok::Punct => "tok-punct",
            Tok::Separator => "tok-sep",
        }
    }
}

/// The pieces of every line of `text` (the pieces of a line put together give the line back).
pub fn highlight(text: &str) -> Vec<Vec<(Tok, &str)>> {
    highlight_lines(text, 0..usize::MAX)
}

/// The pieces of the lines `lines` (0-based) of `text`: the editor draws only the lines in view,
/// so that a manifest of thousands of lines costs no more per keystroke than a short one. The
/// lines before the window are only scanned for block scalar headers.
pub fn highlight_lines(text: &str, lines: std::ops::Range<usize>) -> Vec<Vec<(Tok, &str)>> {
    let mut out = Vec::new();
    // inside a block scalar: the indentation its header line had
    let mut block: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        if i >= lines.end {
            break;
        }
        let shown = i >= lines.start;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(b) = block {
            if blank || indent > b {
                if shown {
                    out.push(vec![(Tok::Str, line)]);
                }
                continue;
            }
            block = None;
        }
        // a line can only open a block scalar if it has a `|` or `>`
        if !shown && !line.contains(['|', '>']) {
            continue;
        }
        let pieces = line_pieces(line);
        let ends_block = pieces
            .iter()
            .rev()
            .find(|(t, s)| *t != Tok::Comment && !s.trim().is_empty())
            .is_some_and(|(t, s)| *t == Tok::Punct && (s.starts_with('|') || s.starts_with('>')));
        if ends_block {
            block = Some(indent);
        }
        if shown {
            out.push(pieces);
        }
    }
    out
}

fn line_pieces(line: &str) -> Vec<(Tok, &str)> {
    let mut out = Vec::new();
    if line.starts_with("---") || line.starts_with("...") {
        let (sep, rest) = line.split_at(3);
        out.push((Tok::Separator, sep));
        if !rest.is_empty() {
            out.extend(value_pieces(rest));
        }
        return out;
    }
    let body = line.trim_start_matches(' ');
    let mut rest = line;
    if body.len() < line.len() {
        let (ws, r) = line.split_at(line.len() - body.len());
        out.push((Tok::Plain, ws));
        rest = r;
    }
    // sequence markers
    while rest.starts_with('-') && (rest.len() == 1 || rest[1..].starts_with(' ')) {
        let after = rest[1..].trim_start_matches(' ');
        let cut = rest.len() - after.len();
        out.push((Tok::Punct, &rest[..cut]));
        rest = after;
    }
    if rest.starts_with('#') {
        out.push((Tok::Comment, rest));
        return out;
    }
    if let Some(colon) = key_end(rest) {
        out.push((Tok::Key, &rest[..colon]));
        out.push((Tok::Punct, &rest[colon..colon + 1]));
        rest = &rest[colon + 1..];
    }
    out.extend(value_pieces(rest));
    out
}

/// Where a `key:` ends (the colon), for a plain or quoted key followed by a space or the end.
fn key_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let start_quote = matches!(b.first(), Some(b'"' | b'\''));
    let mut i = 0;
    if start_quote {
        let q = b[0];
        i = 1 + s[1..].find(q as char)? + 1;
        return (b.get(i) == Some(&b':') && matches!(b.get(i + 1), None | Some(b' '))).then_some(i);
    }
    if matches!(
        b.first(),
        Some(b'{' | b'[' | b'|' | b'>' | b'&' | b'*' | b'!')
    ) {
        return None;
    }
    while i < b.len() {
        match b[i] {
            b':' if matches!(b.get(i + 1), None | Some(b' ')) => return (i > 0).then_some(i),
            b' ' if b.get(i + 1) == Some(&b'#') => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// A value after `key:` (or a bare item): leading space, the scalar, a trailing comment.
fn value_pieces(s: &str) -> Vec<(Tok, &str)> {
    let mut out = Vec::new();
    let body = s.trim_start_matches(' ');
    if body.len() < s.len() {
        out.push((Tok::Plain, &s[..s.len() - body.len()]));
    }
    if body.is_empty() {
        return out;
    }
    if body.starts_with('#') {
        out.push((Tok::Comment, body));
        return out;
    }
    // a comment starts at ` #` outside quotes
    let comment_at = comment_start(body);
    let (scalar, comment) = body.split_at(comment_at.unwrap_or(body.len()));
    let trimmed = scalar.trim_end_matches(' ');
    let tok = classify(trimmed);
    out.push((tok, trimmed));
    if trimmed.len() < scalar.len() {
        out.push((Tok::Plain, &scalar[trimmed.len()..]));
    }
    if !comment.is_empty() {
        out.push((Tok::Comment, comment));
    }
    out
}

fn comment_start(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev == ' ' && i > 0 => return Some(i - 1),
            None => {}
        }
        prev = c;
    }
    None
}

fn classify(s: &str) -> Tok {
    match s {
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "Null" | "NULL" | "~" => {
            return Tok::Const
        }
        // kubectl's YAML is 1.1: `yes`, `off`… are booleans too
        s if crate::sim::yaml::yaml11_bool(s).is_some() => return Tok::Const,
        _ => {}
    }
    if s.starts_with('|') || s.starts_with('>') {
        return Tok::Punct;
    }
    if s.starts_with(['{', '[']) {
        return Tok::Plain;
    }
    let num = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !num.is_empty()
        && num.chars().all(|c| c.is_ascii_digit() || c == '.')
        && num.chars().filter(|&c| c == '.').count() <= 1
        && num.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return Tok::Num;
    }
    Tok::Str
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(line: &str) -> Vec<(Tok, String)> {
        highlight(line)[0]
            .iter()
            .map(|(t, s)| (*t, s.to_string()))
            .collect()
    }

    #[test]
    fn pieces_give_the_text_back() {
        let text = "apiVersion: v1\nkind: Service # a comment\n---\nspec:\n  ports:\n  - port: 80\n    name: \"a: #b\"\n  data: |\n    key: not a key\n  ready: true\n";
        let lines = highlight(text);
        let back: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|(_, s)| *s).collect())
            .collect();
        assert_eq!(back.join("\n"), text);
        assert_eq!(lines[8], vec![(Tok::Str, "    key: not a key")]);
    }

    #[test]
    fn a_window_of_lines_is_highlighted_as_in_the_whole_text() {
        let text = "a: |\n  b: c\n  d\ne: 1 # x\nf: >-\n  g: h\ni: [1, 2]\n";
        let all = highlight(text);
        for start in 0..all.len() {
            for end in start..=all.len() + 1 {
                let part = highlight_lines(text, start..end);
                assert_eq!(part[..], all[start..end.min(all.len())], "{start}..{end}");
            }
        }
    }

    #[test]
    fn keys_values_and_comments() {
        assert_eq!(
            classes("  - port: 80 # web"),
            vec![
                (Tok::Plain, "  ".into()),
                (Tok::Punct, "- ".into()),
                (Tok::Key, "port".into()),
                (Tok::Punct, ":".into()),
                (Tok::Plain, " ".into()),
                (Tok::Num, "80".into()),
                (Tok::Comment, " # web".into()),
            ]
        );
        assert_eq!(classes("image: kicbase/echo-server:1.0")[3].0, Tok::Str);
        assert_eq!(classes("enabled: false")[3].0, Tok::Const);
        assert_eq!(classes("enabled: yes")[3].0, Tok::Const);
        assert_eq!(classes("enabled: \"yes\"")[3].0, Tok::Str);
        assert_eq!(classes("---")[0].0, Tok::Separator);
        assert_eq!(classes("\"quoted key\": x")[0].0, Tok::Key);
    }
}
