//! The Leptos front end (CSR). For now it shows the default cluster, true to the core: each node
//! with its address, podCIDR and pods. The full lab (editor, cluster view, terminal) follows.

use crate::scene::{self, NodeView};
use crate::shell::{NoFiles, Shell};
use crate::sim::Cluster;
use leptos::prelude::*;

/// `?seed=N` in the page URL, else 1.
fn seed_from_url() -> u64 {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("seed"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

#[component]
fn NodeCard(node: NodeView) -> impl IntoView {
    let name = node.name.clone();
    view! {
        <section class="node" data-node=name.clone() aria-label=format!("node {name}")>
            <h2>{node.name.clone()}</h2>
            <p class="node__meta">{format!("InternalIP {} · podCIDR {}", node.ip, node.pod_cidr)}</p>
            <ul class="node__pods">
                {node
                    .pods
                    .into_iter()
                    .map(|p| {
                        let key = format!("{}/{}", p.namespace, p.name);
                        let class = if p.ready { "pod" } else { "pod pod--not-ready" };
                        view! {
                            <li class=class data-pod=key data-ready=p.ready.to_string()>
                                <span class="pod__name">{p.name.clone()}</span>
                                <span class="pod__ip">{p.ip.clone()}</span>
                                <span class="pod__status">{p.status.clone()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let cluster = Cluster::new(seed_from_url());
    let nodes = scene::nodes(&cluster);
    // the same interpreter as the command line, so the page shows exactly what kubectl prints
    let mut shell = Shell::new(cluster, Box::new(NoFiles));
    let services = shell.run("kubectl get services -A -o wide").stdout();
    view! {
        <main class="lab">
            <h1>"svclab"</h1>
            <p class="lab__intro">"A simulated minikube cluster with three nodes."</p>
            <div class="nodes">{nodes.into_iter().map(|n| view! { <NodeCard node=n/> }).collect_view()}</div>
            <section class="terminal-preview" aria-label="kubectl get services -A -o wide">
                <pre>{format!("$ kubectl get services -A -o wide\n{services}")}</pre>
            </section>
        </main>
    }
}
