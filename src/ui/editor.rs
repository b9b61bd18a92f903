//! The manifest editor: the YAML of the objects the user declares. Edits apply by themselves
//! shortly after typing stops, as `kubectl apply -f` of the whole text; while the text is
//! invalid the last good cluster keeps running and the diagnostics say why. The text survives
//! a reload (localStorage).

use super::{Lab, MANIFEST_FILE};
use leptos::prelude::*;

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

/// `kubectl apply -f` of the editor's text, then the deletion of the objects the text no longer
/// declares (as `kubectl apply --prune` would): what it printed, and whether it all went through.
pub fn apply(lab: Lab) -> (String, bool) {
    let source = lab.manifest.with_value(|m| m.borrow().clone());
    let declared = crate::shell::declared_objects(&source);
    let out = lab.run(&format!("kubectl apply -f {MANIFEST_FILE}"));
    let mut text = out.stdout();
    text.push_str(&out.stderr());
    let mut ok = out.code == 0;
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
    (text, ok)
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
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

#[component]
pub fn Editor(lab: Lab, first: (String, bool)) -> impl IntoView {
    let initial = lab.manifest.with_value(|m| m.borrow().clone());
    let text = RwSignal::new(initial);
    let result = RwSignal::new(first);
    let pending: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage> =
        StoredValue::new_local(None);
    on_cleanup(move || pending.update_value(|p| drop(p.take())));
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        if let Some(s) = storage() {
            let _ = s.set_item(STORAGE_KEY, &value);
        }
        // apply once typing stops
        let timeout = gloo_timers::callback::Timeout::new(600, move || {
            let started = now_ms();
            lab.manifest.with_value(|m| *m.borrow_mut() = value.clone());
            result.set(apply(lab));
            record_edit_time(started);
        });
        pending.update_value(|p| *p = Some(timeout));
    };
    view! {
        <section class="editor" aria-label="Manifest editor">
            <h2 class="panel__title">"Manifest"</h2>
            <textarea
                class="editor__text"
                aria-label="Manifest"
                spellcheck="false"
                autocomplete="off"
                prop:value=move || text.get()
                on:input=on_input
            ></textarea>
            <pre
                class=move || if result.get().1 { "editor__status" } else { "editor__status editor__status--error" }
                role="status"
                aria-label="Manifest diagnostics"
            >
                {move || {
                    let (out, ok) = result.get();
                    if ok { out } else { format!("{out}(the cluster keeps the last objects that applied)") }
                }}
            </pre>
        </section>
    }
}
