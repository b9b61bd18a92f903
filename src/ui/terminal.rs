//! The terminal: the same interpreter as the command line, with history (↑/↓); a pasted script
//! runs line by line. Output is text nodes only: nothing a user typed is ever inserted as HTML.

use super::Lab;
use leptos::prelude::*;

/// One line of the terminal's log: an id for `<For>`, a kind (command, out, err) and the text.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    id: u64,
    kind: &'static str,
    text: String,
}

const MAX_LINES: usize = 1000;

/// Whether the input the key went to has text selected.
fn has_selection(ev: &leptos::ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| {
            let start = i.selection_start().ok().flatten();
            let end = i.selection_end().ok().flatten();
            start != end
        })
}

#[component]
pub fn Terminal(lab: Lab) -> impl IntoView {
    let input = RwSignal::new(String::new());
    let lines: RwSignal<Vec<Line>> = RwSignal::new(Vec::new());
    let history = StoredValue::new(Vec::<String>::new());
    let cursor = StoredValue::new(0usize);
    let next_id = StoredValue::new(0u64);
    let prompt = RwSignal::new(String::from("$ "));
    let push = move |kind: &'static str, text: String| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        lines.update(|l| {
            l.push(Line { id, kind, text });
            if l.len() > MAX_LINES {
                let extra = l.len() - MAX_LINES;
                l.drain(..extra);
            }
        });
    };
    let run = move |line: String| {
        push("cmd", format!("{}{line}", prompt.get_untracked()));
        if !line.trim().is_empty() {
            history.update_value(|h| h.push(line.clone()));
        }
        cursor.set_value(history.with_value(|h| h.len()));
        if line.trim() == "clear" {
            lines.set(Vec::new());
            return;
        }
        let out = lab.run(&line);
        for (stream, text) in out.chunks {
            let kind = match stream {
                crate::shell::Stream::Out => "out",
                crate::shell::Stream::Err => "err",
            };
            push(kind, text.trim_end_matches('\n').to_string());
        }
        prompt.set(lab.shell.with_value(|sh| sh.prompt()));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            let line = input.get_untracked();
            input.set(String::new());
            run(line);
        }
        "Tab" => {
            // complete the last word: at once when one candidate fits, else to the longest
            // common prefix with the candidates listed below
            ev.prevent_default();
            let line = input.get_untracked();
            let candidates = lab.shell.with_value(|sh| sh.complete(&line));
            // everything before the word being completed (char-safe for any input)
            let stem = line.trim_end_matches(|c: char| !c.is_whitespace());
            match candidates.as_slice() {
                [] => {}
                [one] => input.set(format!("{stem}{one} ")),
                many => {
                    let mut common = many[0].clone();
                    for c in &many[1..] {
                        while !c.starts_with(&common) {
                            common.pop();
                        }
                    }
                    input.set(format!("{stem}{common}"));
                    push("out", many.join("  "));
                }
            }
        }
        "ArrowUp" | "ArrowDown" => {
            ev.prevent_default();
            let len = history.with_value(|h| h.len());
            let at = cursor.get_value();
            let at = if ev.key() == "ArrowUp" {
                at.saturating_sub(1)
            } else {
                (at + 1).min(len)
            };
            cursor.set_value(at);
            input.set(history.with_value(|h| h.get(at).cloned().unwrap_or_default()));
        }
        // Ctrl-C with nothing selected in the input: `^C` as a terminal echoes it, the line is
        // dropped, and a running `minikube tunnel` stops (with a selection it copies, as usual)
        "c" if ev.ctrl_key() && !ev.shift_key() && !ev.alt_key() && !has_selection(&ev) => {
            ev.prevent_default();
            let line = input.get_untracked();
            input.set(String::new());
            push("cmd", format!("{}{line}^C", prompt.get_untracked()));
            lab.interrupt();
        }
        _ => {}
    };
    // A pasted script (several lines, as copied from a tutorial) runs line by line, as a
    // terminal runs it; a here-document goes with the line that opens it. An input field
    // would join the lines into one. A last line without its newline stays in the input.
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        let Some(text) = ev.clipboard_data().and_then(|d| d.get_data("text").ok()) else {
            return;
        };
        if !text.contains('\n') {
            return;
        }
        ev.prevent_default();
        let text = text.replace("\r\n", "\n");
        let (complete, rest) = match text.strip_suffix('\n') {
            Some(all) => (all.to_string(), String::new()),
            None => match text.rsplit_once('\n') {
                Some((head, last)) => (head.to_string(), last.to_string()),
                None => (String::new(), text.clone()),
            },
        };
        let typed = input.get_untracked();
        input.set(rest);
        let lines = complete.lines().enumerate().map(|(i, l)| {
            if i == 0 {
                format!("{typed}{l}")
            } else {
                l.to_string()
            }
        });
        for line in crate::shell::command_lines(lines) {
            run(line);
        }
    };
    view! {
        <section class="term" aria-label="Terminal panel">
            <h2 class="panel__title">"Terminal"</h2>
            <div class="term__log" role="log" aria-label="Terminal output" aria-live="polite">
                <For each=move || lines.get() key=|l| l.id let:line>
                    <pre class=format!("term__line term__line--{}", line.kind)>{line.text}</pre>
                </For>
            </div>
            <label class="term__input">
                <span class="term__prompt">{move || prompt.get()}</span>
                <input
                    type="text"
                    aria-label="Terminal"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                    on:keydown=on_key
                    on:paste=on_paste
                />
            </label>
        </section>
    }
}
