//! The Leptos front end (CSR): the manifest editor, a true view of the cluster (each node with
//! its address, podCIDR and pods) and the terminal, all over one `Shell` — the same interpreter
//! as the command line, so the page answers exactly as `svclab` does. The SVG cluster view,
//! request animation, inspector and traffic generator follow (issue 4).

mod cluster_view;
mod dots;
mod editor;
mod inspector;
mod terminal;
mod traffic;

use crate::shell::{Files, Shell};
use crate::sim::Cluster;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// `?seed=N` in the page URL, else 1.
fn seed_from_url() -> u64 {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("seed"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// A User Timing mark (`performance.mark`): the measurement script reads where the first render
/// goes from these.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// The page's clock (`performance.now()`, ms): what animations and edit timings are measured on.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The lab's clock tick, in wall-clock milliseconds.
const TICK_MS: u32 = 50;

/// The file `kubectl apply -f manifest.yaml` reads: the editor's text.
pub const MANIFEST_FILE: &str = "manifest.yaml";

struct EditorFiles(Rc<RefCell<String>>);

impl Files for EditorFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        if path == MANIFEST_FILE {
            Ok(self.0.borrow().clone())
        } else {
            Err(format!("the path \"{path}\" does not exist"))
        }
    }
}

/// The lab's shared state: the interpreter (and through it the cluster), the editor's text as
/// the shell reads it, a version that moves whenever the cluster or the requests may have
/// changed, and a stamp that moves only when the cluster did (or a simulated second passed).
#[derive(Clone, Copy)]
pub struct Lab {
    shell: StoredValue<Shell, LocalStorage>,
    manifest: StoredValue<Rc<RefCell<String>>, LocalStorage>,
    /// the objects the editor's text declared at its last good apply (for pruning)
    applied: StoredValue<Vec<(crate::sim::object::Kind, String, String)>>,
    version: RwSignal<u64>,
    /// (cluster generation, simulated seconds): what views of the cluster's objects depend on.
    /// Traffic moves `version` on every tick without changing either, and those views (the
    /// layout, the inspector, tables with ages, the traffic controls' lists) must not redo their
    /// work 10 times a second for it.
    cluster: Memo<(u64, u64)>,
    /// the latest object `kubectl edit` asked the Manifest editor to open
    edit: RwSignal<Option<crate::shell::EditRequest>>,
}

impl Lab {
    /// Makes the current view depend on the cluster's objects. The stamp is read, not only
    /// tracked: a memo that never computed tracks nothing and never notifies.
    fn track_cluster(&self) {
        let _ = self.cluster.get();
    }

    /// Ctrl-C in the terminal: stops a running `minikube tunnel`.
    fn interrupt(&self) -> bool {
        let stopped = self
            .shell
            .try_update_value(|sh| sh.interrupt())
            .unwrap_or(false);
        if stopped {
            self.version.update(|v| *v += 1);
        }
        stopped
    }

    /// Runs one command line and tells the views the cluster may have changed.
    fn run(&self, line: &str) -> crate::shell::Output {
        self.run_by(|sh| sh.run(line))
    }

    /// As `run`, for the Manifest editor: its objects live in `default`, whatever namespace
    /// the terminal's kubeconfig context has switched to.
    fn run_in_default_namespace(&self, line: &str) -> crate::shell::Output {
        self.run_by(|sh| sh.run_in_default_namespace(line))
    }

    fn run_by(&self, f: impl FnOnce(&mut Shell) -> crate::shell::Output) -> crate::shell::Output {
        let (out, edits) = self
            .shell
            .try_update_value(|sh| {
                let out = f(sh);
                (
                    out,
                    sh.edits.as_mut().map(std::mem::take).unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        self.version.update(|v| *v += 1);
        if let Some(last) = edits.into_iter().last() {
            self.edit.set(Some(last));
        }
        out
    }
}

#[component]
pub fn App() -> impl IntoView {
    mark("svclab:start");
    let text = Rc::new(RefCell::new(editor::initial_text()));
    let cluster = Cluster::new(seed_from_url());
    mark("svclab:cluster");
    let mut shell = Shell::new(cluster, Box::new(EditorFiles(text.clone())));
    // `kubectl edit` opens objects in the Manifest editor
    shell.edits = Some(Vec::new());
    let shell = StoredValue::new_local(shell);
    let version = RwSignal::new(0);
    let lab = Lab {
        shell,
        manifest: StoredValue::new_local(text),
        applied: StoredValue::new(Vec::new()),
        version,
        cluster: Memo::new(move |_| {
            version.track();
            shell.with_value(|sh| (sh.cluster.generation, sh.cluster.now.0 / 1000))
        }),
        edit: RwSignal::new(None),
    };
    let first = editor::apply(lab);
    mark("svclab:applied");
    let pb = traffic::Playback::new();
    // one tick of the lab: simulated time moves (readiness probes pass, terminating pods go)
    // and the traffic generator sends what it owes; views update only when something changed
    let tick = move |sim_ms: f64| {
        let changed = lab
            .shell
            .try_update_value(|sh| {
                let before = sh.cluster.generation;
                sh.cluster.advance(sim_ms.round() as u64);
                sh.cluster.generation != before
            })
            .unwrap_or(false);
        if changed {
            lab.version.update(|v| *v += 1);
        }
        traffic::send_traffic(lab, pb, sim_ms);
    };
    // simulated time follows the wall clock at the chosen speed while playing; short ticks
    // spread the traffic generator's work (200 requests/s at 4× is 40 per tick: a tick of 80
    // took longer than a frame)
    let ticker = gloo_timers::callback::Interval::new(TICK_MS, move || {
        if pb.playing.get_untracked() {
            tick(f64::from(TICK_MS) * pb.speed.get_untracked());
        }
    });
    let ticker = StoredValue::new_local(Some(ticker));
    on_cleanup(move || ticker.update_value(|t| drop(t.take())));
    let step = Callback::new(move |_| tick(250.0));
    let selected = RwSignal::new(None::<inspector::Selection>);
    let services = move || {
        lab.track_cluster();
        lab.shell
            .try_update_value(|sh| sh.run("kubectl get services -A -o wide").stdout())
            .unwrap_or_default()
    };
    view! {
        <main class="lab">
            <header class="lab__head">
                <h1>"svclab"</h1>
                <p class="lab__intro">"A simulated minikube cluster with three nodes."</p>
            </header>
            <div class="lab__grid">
                <editor::Editor lab=lab first=first/>
                <div class="lab__cluster">
                    <traffic::Controls lab=lab pb=pb step=step/>
                    <div class="viz-wrap"><cluster_view::ClusterView lab=lab selected=selected replay=pb.replay/></div>
                    <div class="lab__below">
                        <section class="terminal-preview" aria-label="kubectl get services -A -o wide">
                            <pre>{move || format!("$ kubectl get services -A -o wide\n{}", services())}</pre>
                        </section>
                        <traffic::TrafficLog lab=lab pb=pb selected=selected/>
                    </div>
                </div>
                <terminal::Terminal lab=lab/>
                <inspector::Inspector lab=lab selected=selected/>
            </div>
        </main>
    }
}
