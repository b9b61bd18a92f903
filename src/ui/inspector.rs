//! The inspector: whatever is selected in the cluster view (a node, pod, Service or request),
//! as the tools show it — `kubectl get -o yaml` with status, the Service's EndpointSlices, the
//! node's iptables rules with the selected request's matched rules marked, the pod's env vars
//! and resolv.conf, the request's hops. Everything is text nodes.

use super::Lab;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    Node(String),
    /// namespace/name
    Pod(String),
    /// namespace/name
    Service(String),
    Request(u64),
}

fn split(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("default", key))
}

/// (heading, text, lines to mark) blocks for a selection.
fn blocks(lab: Lab, sel: &Selection) -> Vec<(String, String, Vec<String>)> {
    let run = |line: &str| {
        let o = lab
            .shell
            .try_update_value(|sh| sh.run(line))
            .unwrap_or_default();
        format!("{}{}", o.stdout(), o.stderr())
    };
    match sel {
        Selection::Node(n) => vec![
            (
                format!("kubectl get node {n} -o wide"),
                run(&format!("kubectl get node {n} -o wide")),
                vec![],
            ),
            (
                format!("iptables-save -t nat on {n}"),
                run(&format!("minikube ssh -n {n} -- sudo iptables-save -t nat")),
                vec![],
            ),
        ],
        Selection::Pod(k) => {
            let (ns, name) = split(k);
            let (env, resolv) = lab.shell.with_value(|sh| {
                let env = sh
                    .cluster
                    .runtime(ns, name)
                    .map(|r| {
                        r.env
                            .vars()
                            .into_iter()
                            .map(|(k, v)| format!("{k}={v}\n"))
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                let resolv = match sh.cluster.get(crate::sim::object::Kind::Pod, ns, name) {
                    Some(crate::sim::object::Object::Pod(p)) => {
                        crate::sim::dns::resolv_conf(&sh.cluster, p)
                    }
                    _ => String::new(),
                };
                (env, resolv)
            });
            vec![
                (
                    format!("kubectl get pod {name} -n {ns} -o yaml"),
                    run(&format!("kubectl get pod {name} -n {ns} -o yaml")),
                    vec![],
                ),
                ("environment (as the container started)".into(), env, vec![]),
                ("/etc/resolv.conf".into(), resolv, vec![]),
            ]
        }
        Selection::Service(k) => {
            let (ns, name) = split(k);
            vec![
                (
                    format!("kubectl get svc {name} -n {ns} -o yaml"),
                    run(&format!("kubectl get svc {name} -n {ns} -o yaml")),
                    vec![],
                ),
                {
                    let cmd = format!(
                        "kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={name}"
                    );
                    let out = run(&cmd);
                    (cmd, out, vec![])
                },
            ]
        }
        Selection::Request(id) => {
            let trace = run(&format!("svclab trace {id}"));
            let (entry, hits) = lab.shell.with_value(|sh| {
                let t = sh.traces.iter().find(|t| t.id == *id);
                let w = t.and_then(|t| t.walk.as_ref());
                let entry = w.and_then(|w| w.entry_node.clone());
                let hits: Vec<String> = w
                    .map(|w| {
                        w.hops
                            .iter()
                            .flat_map(|h| h.rules.iter().map(|r| r.rule.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                (entry, hits)
            });
            let mut out = vec![(format!("svclab trace {id}"), trace, vec![])];
            if let Some(n) = entry {
                out.push((
                    format!("iptables-save on {n} (rules this request matched are marked)"),
                    run(&format!("minikube ssh -n {n} -- sudo iptables-save")),
                    hits,
                ));
            }
            out
        }
    }
}

#[component]
pub fn Inspector(lab: Lab, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    // the commands run again when the cluster changed or a simulated second passed (ages), not
    // on every tick of traffic (which changes neither)
    let content = move || {
        lab.track_cluster();
        let Some(sel) = selected.get() else {
            return view! {
                <p class="inspector__hint">"Select a node, pod, Service or request in the cluster view."</p>
            }
            .into_any();
        };
        blocks(lab, &sel)
            .into_iter()
            .map(|(title, text, marks)| {
                // objects as `kubectl get -o yaml` prints them are coloured as in the editor
                let tokens = title
                    .ends_with("-o yaml")
                    .then(|| crate::scene::yaml_tokens::highlight(&text));
                let lines = text
                    .lines()
                    .enumerate()
                    .map(|(i, l)| {
                        let hit = marks.iter().any(|m| m == l);
                        let body = match tokens.as_ref().and_then(|t| t.get(i)) {
                            Some(pieces) => pieces
                                .iter()
                                .map(|(t, s)| view! { <span class=t.class()>{s.to_string()}</span> })
                                .collect_view()
                                .into_any(),
                            None if hit => format!("▶ {l}").into_any(),
                            None => l.to_string().into_any(),
                        };
                        view! {
                            <div class=if hit { "inspector__line inspector__line--hit" } else { "inspector__line" }
                                data-rule-hit=hit.to_string()>
                                {body}
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <h3 class="inspector__title">{title}</h3>
                    <div class="inspector__text">{lines}</div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="inspector" aria-label="Inspector">
            <h2 class="panel__title">"Inspector"</h2>
            {content}
        </section>
    }
}
