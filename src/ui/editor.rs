//! The manifest editor: the YAML of the objects the user declares, with line numbers,
//! highlighting and each error at its line. Edits apply by themselves shortly after typing
//! stops, as `kubectl apply -f` of the whole text; while the text is invalid the last good
//! cluster keeps running and the diagnostics say why. The text survives a reload
//! (localStorage); the browser's own undo works because the text is never reset under the
//! user (`kubectl edit` inserts through the same editing command as typing).

use super::now_ms;
use super::{Lab, MANIFEST_FILE};
use crate::scene::yaml_tokens::{highlight_lines, Tok};
use crate::shell::diagnose::{diagnose, Diagnostic};
use crate::shell::EditRequest;
use leptos::prelude::*;
use web_sys::wasm_bindgen::JsCast;

const STORAGE_KEY: &str = "svclab.manifest";

/// The seed's 3-replica echo-server Deployment behind a NodePort Service.
pub const DEFAULT_MANIFEST: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 3
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: echo-server
        image: kicbase/echo-server:1.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  type: NodePort
  selector:
    app: echo
  ports:
  - port: 8080
    targetPort: 8080
";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The text of the last visit, else the seed's manifest.
pub fn initial_text() -> String {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .unwrap_or_else(|| DEFAULT_MANIFEST.to_string())
}

/// What one apply of the editor's text said.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// everything kubectl printed
    pub out: String,
    pub ok: bool,
    /// the errors, each at its line of the text that was applied
    pub diagnostics: Vec<Diagnostic>,
}

/// `kubectl apply -f` of the editor's text, then the deletion of the objects the text no longer
/// declares (as `kubectl apply --prune` would).
pub fn apply(lab: Lab) -> Report {
    let source = lab.manifest.with_value(|m| m.borrow().clone());
    let declared = lab
        .shell
        .try_update_value(|sh| sh.declared_objects(&source))
        .flatten();
    let out = lab.run_in_default_namespace(&format!("kubectl apply -f {MANIFEST_FILE}"));
    let errors = out.stderr();
    let mut text = out.stdout();
    text.push_str(&errors);
    let mut ok = out.code == 0;
    let diagnostics = diagnose(&source, &errors);
    // a text that does not parse or apply removes nothing: the last good cluster keeps running
    if let (Some(now), true) = (declared, ok) {
        let before = lab.applied.get_value();
        for (kind, ns, name) in before.iter().filter(|k| !now.contains(k)) {
            let scope = if ns.is_empty() {
                String::new()
            } else {
                format!(" -n {ns}")
            };
            let del = lab.run(&format!(
                "kubectl delete {} {name}{scope} --wait=false",
                kind.plural()
            ));
            text.push_str(&del.stdout());
            text.push_str(&del.stderr());
            ok &= del.code == 0;
        }
        lab.applied.set_value(now);
    }
    Report {
        out: text,
        ok,
        diagnostics,
    }
}

/// For the measurement script (`tests/e2e/measure.mjs`): once the views have re-rendered (the
/// reactive effects run before the next task), push how long apply + render took onto
/// `window.svclabEditTimes`.
fn record_edit_time(started: f64) {
    gloo_timers::callback::Timeout::new(0, move || {
        let Some(w) = web_sys::window() else { return };
        let key = web_sys::wasm_bindgen::JsValue::from_str("svclabEditTimes");
        let list = web_sys::js_sys::Reflect::get(&w, &key)
            .ok()
            .filter(|v| v.is_object())
            .unwrap_or_else(|| web_sys::js_sys::Array::new().into());
        let arr: web_sys::js_sys::Array = list.into();
        arr.push(&web_sys::wasm_bindgen::JsValue::from_f64(
            now_ms() - started,
        ));
        let _ = web_sys::js_sys::Reflect::set(&w, &key, &arr);
    })
    .forget();
}

/// The position (in UTF-16 units, as the textarea counts) where 1-based `line` starts.
fn line_offset(text: &str, line: usize) -> u32 {
    text.split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.encode_utf16().count() as u32)
        .sum()
}

/// Selects lines `from..=to` of the textarea and scrolls them into view.
fn select_lines(ta: &web_sys::HtmlTextAreaElement, text: &str, from: usize, to: usize) {
    let start = line_offset(text, from);
    let end = line_offset(text, to + 1);
    let _ = ta.focus();
    let _ = ta.set_selection_range(start, end.max(start));
    let line_px = ta.scroll_height() as f64 / text.split('\n').count().max(1) as f64;
    ta.set_scroll_top(((from.saturating_sub(3)) as f64 * line_px) as i32);
}

/// An editing command on the focused textarea (`insertText`, `undo`, `redo`): the browser keeps
/// it on its undo stack like typing.
fn exec(command: &str, value: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| {
            d.exec_command_with_show_ui_and_value(command, false, value)
                .ok()
        })
        .unwrap_or(false)
}

/// Where the object of a `kubectl edit` is declared in the text: its document's first and last
/// lines.
fn declared_at(text: &str, req: &EditRequest) -> Option<(usize, usize)> {
    let docs = crate::sim::yaml::split_documents(text).ok()?;
    docs.iter().find_map(|d| {
        let v = crate::sim::yaml::parse_document(&d.text).ok()?;
        let s =
            |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or("").to_string();
        let meta = v.get("metadata");
        let ns = s(meta.and_then(|m| m.get("namespace")));
        let ns = if !req.kind.namespaced() {
            String::new()
        } else if ns.is_empty() {
            "default".to_string()
        } else {
            ns
        };
        let same = s(v.get("kind")) == req.kind.name()
            && s(meta.and_then(|m| m.get("name"))) == req.name
            && ns == req.namespace;
        let last = d.first_line + d.text.lines().count().max(1) - 1;
        same.then_some((d.first_line, last))
    })
}

/// The textarea's scroll offsets, height and line height (CSS pixels).
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    top: f64,
    left: f64,
    height: f64,
    line: f64,
}

impl Default for View {
    fn default() -> Self {
        // until measured: the editor's CSS height (26rem) and line height (0.8rem × 1.45)
        View {
            top: 0.0,
            left: 0.0,
            height: 416.0,
            line: 18.56,
        }
    }
}

impl View {
    /// The textarea as it is now. The line height (a computed style, costly to read with a long
    /// text) is taken from `before` unless the textarea changed size (a new font size comes
    /// with the layout that changes it).
    fn of(ta: &web_sys::HtmlTextAreaElement, before: Option<View>) -> View {
        let height = ta.client_height() as f64;
        let line = match before {
            Some(b) if b.height == height => b.line,
            _ => web_sys::window()
                .and_then(|w| w.get_computed_style(ta).ok().flatten())
                .and_then(|s| s.get_property_value("line-height").ok())
                .and_then(|l| l.trim_end_matches("px").parse::<f64>().ok())
                .filter(|l| *l > 0.0)
                .unwrap_or(View::default().line),
        };
        View {
            top: ta.scroll_top() as f64,
            left: ta.scroll_left() as f64,
            height,
            line,
        }
    }

    /// The lines (0-based) that are at least partly in view.
    fn lines(&self) -> std::ops::Range<usize> {
        let first = (self.top / self.line).floor().max(0.0) as usize;
        let count = (self.height / self.line).ceil() as usize + 2;
        first..first + count
    }
}

#[component]
pub fn Editor(lab: Lab, first: Report) -> impl IntoView {
    let initial = lab.manifest.with_value(|m| m.borrow().clone());
    let text = RwSignal::new(initial.clone());
    let report = RwSignal::new(first);
    let textarea: NodeRef<leptos::html::Textarea> = NodeRef::new();
    let pending: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage> =
        StoredValue::new_local(None);
    on_cleanup(move || pending.update_value(|p| drop(p.take())));
    let changed = move |value: String| {
        text.set(value.clone());
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, &value);
        }
        // apply once typing stops
        let timeout = gloo_timers::callback::Timeout::new(600, move || {
            let started = now_ms();
            lab.manifest.with_value(|m| *m.borrow_mut() = value.clone());
            report.set(apply(lab));
            record_edit_time(started);
        });
        pending.update_value(|p| *p = Some(timeout));
    };
    // What the textarea shows: scroll offsets, height and line height, in CSS pixels. Only the
    // lines in view are highlighted and numbered (a 4,000-line manifest would otherwise rebuild
    // thousands of elements, and lay them out, on every keystroke).
    // Measured once per frame at most, at the frame's start: reading the layout in an event
    // handler (or while the page is being built) forces the browser to lay out a long text
    // there and then, 15 ms per keystroke with a 2,000-line manifest.
    let view = RwSignal::new(View::default());
    let measured = StoredValue::new(None::<View>);
    let queued = StoredValue::new(false);
    let measure = move || {
        if queued.get_value() {
            return;
        }
        queued.set_value(true);
        request_animation_frame(move || {
            queued.set_value(false);
            if let Some(ta) = textarea.get_untracked() {
                let v = View::of(&ta, measured.get_value());
                measured.set_value(Some(v));
                if view.get_untracked() != v {
                    view.set(v);
                }
            }
        });
    };
    let on_scroll = move |_| measure();
    let on_input = move |ev: leptos::ev::Event| {
        changed(event_target_value(&ev));
        measure();
    };
    Effect::new(move |_| {
        if textarea.get().is_some() {
            measure();
        }
    });
    // `kubectl edit` in the terminal: select the object's document, or add it at the end
    Effect::new(move |_| {
        let Some(req) = lab.edit.get() else { return };
        let Some(ta) = textarea.get_untracked() else {
            return;
        };
        let current = ta.value();
        if let Some((from, to)) = declared_at(&current, &req) {
            select_lines(&ta, &current, from, to);
            return;
        }
        let len = current.encode_utf16().count() as u32;
        let _ = ta.focus();
        let _ = ta.set_selection_range(len, len);
        let sep = if current.is_empty() || current.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        let added = format!("{sep}---\n{}", req.yaml);
        if !exec("insertText", &added) {
            // no editing command: set the text (the browser's undo loses this step)
            ta.set_value(&format!("{current}{added}"));
            changed(ta.value());
        }
        let now = ta.value();
        let from = current.split('\n').count() + usize::from(!sep.is_empty()) + 1;
        select_lines(&ta, &now, from, now.split('\n').count());
    });
    let error_lines = Memo::new(move |_| {
        report.with(|r| {
            let mut l: Vec<usize> = r.diagnostics.iter().map(|d| d.line).collect();
            l.dedup();
            l
        })
    });
    let window = Memo::new(move |_| view.with(View::lines));
    // (index, pieces, has an error): an error line is marked in the text too
    let lines = move || {
        let errs = error_lines.get();
        let shown = window.get();
        text.with(|t| {
            highlight_lines(t, shown.clone())
                .into_iter()
                .zip(shown.start..)
                .map(|(pieces, i)| {
                    let pieces: Vec<(Tok, String)> = pieces
                        .into_iter()
                        .map(|(t, s)| (t, s.to_string()))
                        .collect();
                    (i, pieces, errs.contains(&(i + 1)))
                })
                .collect::<Vec<_>>()
        })
    };
    let line_count = Memo::new(move |_| text.with(|t| t.split('\n').count()));
    let numbers = move || {
        let shown = window.get();
        let n = line_count.get();
        let errs = error_lines.get();
        (shown.start + 1..=n.min(shown.end))
            .map(move |i| (i, errs.contains(&i)))
            .collect::<Vec<_>>()
    };
    // the drawn lines sit where the textarea's own lines are
    let offset = move || {
        view.with(|v| {
            format!(
                "transform: translate({}px, {}px)",
                -v.left,
                v.lines().start as f64 * v.line - v.top
            )
        })
    };
    let offset_y = move || {
        view.with(|v| {
            format!(
                "transform: translateY({}px)",
                v.lines().start as f64 * v.line - v.top
            )
        })
    };
    // the gutter is as wide as the longest number, so scrolling never moves the text
    let gutter_width = move || format!("min-width: {}ch", line_count.get().to_string().len() + 1);
    let undo = move |cmd: &'static str| {
        move |_| {
            if let Some(ta) = textarea.get_untracked() {
                let _ = ta.focus();
                exec(cmd, "");
            }
        }
    };
    view! {
        <section class="editor" aria-label="Manifest editor">
            <div class="editor__bar">
                <h2 class="panel__title">"Manifest"</h2>
                <button type="button" on:click=undo("undo")>"Undo"</button>
                <button type="button" on:click=undo("redo")>"Redo"</button>
            </div>
            <div class="editor__code" on:pointerup=move |_| measure()>
                <pre class="editor__gutter" aria-hidden="true" style=gutter_width>
                    <div style=offset_y>
                        <For each=numbers key=|n| *n let:n>
                            <span class=if n.1 { "editor__num editor__num--error" } else { "editor__num" } data-gutter-line=n.0>
                                {if n.1 { format!("\u{2716}{}\n", n.0) } else { format!("{}\n", n.0) }}
                            </span>
                        </For>
                    </div>
                </pre>
                <div class="editor__area">
                    <pre class="editor__hl" aria-hidden="true">
                        <div style=offset>
                            <For each=lines key=|l| l.clone() let:l>
                                <span class=if l.2 { "editor__line editor__line--error" } else { "editor__line" } data-text-line=l.0 + 1 data-error=if l.2 { "true" } else { "false" }>
                                    {l.1.into_iter().map(|(t, s)| view! { <span class=t.class()>{s}</span> }).collect_view()}
                                    "\n"
                                </span>
                            </For>
                        </div>
                    </pre>
                    <textarea
                        class="editor__text"
                        aria-label="Manifest"
                        aria-describedby="manifest-diagnostics"
                        spellcheck="false"
                        autocomplete="off"
                        wrap="off"
                        node_ref=textarea
                        prop:value=initial
                        on:input=on_input
                        on:scroll=on_scroll
                    ></textarea>
                </div>
            </div>
            <div
                id="manifest-diagnostics"
                class=move || if report.with(|r| r.ok) { "editor__status" } else { "editor__status editor__status--error" }
                role="status"
                aria-label="Manifest diagnostics"
            >
                <ul class="editor__diags">
                    {move || report.with(|r| r.diagnostics.clone()).into_iter().map(|d| {
                        let line = d.line;
                        let go = move |_| {
                            if let Some(ta) = textarea.get_untracked() {
                                select_lines(&ta, &ta.value(), line, line);
                            }
                        };
                        view! {
                            <li>
                                <button type="button" class="editor__diag" data-line=line on:click=go>
                                    {format!("\u{2716} Line {line}: {}", d.message)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <pre class="editor__out">
                    {move || {
                        let r = report.get();
                        if r.ok { r.out } else { format!("{}(the cluster keeps the last objects that applied)", r.out) }
                    }}
                </pre>
            </div>
        </section>
    }
}
