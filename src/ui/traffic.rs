//! Playback and traffic: Play / Pause / Step for simulated time (speed 0.1× to 4×), and a
//! traffic generator from a chosen source to a chosen Service address at 0.5–200 requests per
//! second, with a live count of responses per pod.

use super::Lab;
use crate::sim::net::{ip_to_string, parse_ip};
use crate::sim::object::{Kind, Object};
use crate::sim::proxy::walk::Client;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Playback and traffic settings, read by the clock.
#[derive(Clone, Copy)]
pub struct Playback {
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub traffic_on: RwSignal<bool>,
    pub rate: RwSignal<f64>,
    /// index into the sources and targets below; no target chosen yet means the first one the
    /// source can reach (a ClusterIP is not routed outside the cluster: traffic from the
    /// trainer's machine to it would only time out)
    pub source: RwSignal<usize>,
    pub target: RwSignal<Option<usize>>,
    /// the request last asked to fly again (id, and when, on the wall clock in ms)
    pub replay: RwSignal<Option<(u64, f64)>>,
    /// requests owed but not yet sent (fractions of a request per tick add up)
    pub owed: StoredValue<f64>,
    /// responses per pod since traffic started
    pub counts: RwSignal<BTreeMap<String, u64>>,
}

impl Playback {
    pub fn new() -> Playback {
        Playback {
            playing: RwSignal::new(true),
            speed: RwSignal::new(1.0),
            traffic_on: RwSignal::new(false),
            rate: RwSignal::new(2.0),
            source: RwSignal::new(0),
            target: RwSignal::new(None),
            replay: RwSignal::new(None),
            owed: StoredValue::new(0.0),
            counts: RwSignal::new(BTreeMap::new()),
        }
    }
}

/// The place of the trainer's machine among the sources.
const OUTSIDE: usize = 0;

/// Where traffic can come from: the trainer's machine (first, at `OUTSIDE`), each node, each
/// pod with an IP.
fn sources(lab: Lab) -> Vec<(String, Client)> {
    lab.shell.with_value(|sh| {
        let mut out = vec![("the trainer's machine".to_string(), Client::Outside)];
        for n in sh.cluster.list(Kind::Node, None) {
            out.push((
                format!("node {}", n.name()),
                Client::Node(n.name().to_string()),
            ));
        }
        for p in sh.cluster.list(Kind::Pod, Some("default")) {
            out.push((
                format!("pod {}", p.name()),
                Client::Pod {
                    namespace: p.namespace().to_string(),
                    name: p.name().to_string(),
                },
            ));
        }
        out
    })
}

/// Where traffic can go: each Service port's ClusterIP, NodePort (on the first node) and
/// load-balancer IPs.
fn targets(lab: Lab) -> Vec<(String, u32, u16)> {
    lab.shell.with_value(|sh| {
        let node_ip = sh
            .cluster
            .list(Kind::Node, None)
            .first()
            .and_then(|n| match n {
                Object::Node(n) => crate::sim::kubelet::node_internal_ip(n),
                _ => None,
            })
            .and_then(|s| parse_ip(&s));
        let mut out = Vec::new();
        for o in sh.cluster.list(Kind::Service, None) {
            let Object::Service(s) = o else { continue };
            let key = format!("{}/{}", o.namespace(), o.name());
            for sp in crate::sim::proxy::model::service_ports(s) {
                if sp.proto != crate::sim::proxy::model::Proto::Tcp {
                    continue;
                }
                out.push((
                    format!("{key} {}:{}", ip_to_string(sp.cluster_ip), sp.port),
                    sp.cluster_ip,
                    sp.port,
                ));
                if let (Some(ip), true) = (node_ip, sp.node_port != 0) {
                    out.push((
                        format!("{key} NodePort {}:{}", ip_to_string(ip), sp.node_port),
                        ip,
                        sp.node_port,
                    ));
                }
                for lb in &sp.lb_ips {
                    out.push((
                        format!("{key} LB {}:{}", ip_to_string(*lb), sp.port),
                        *lb,
                        sp.port,
                    ));
                }
            }
        }
        out
    })
}

/// The target traffic goes to: the one chosen, else the first that `source` can reach (from
/// outside the cluster, a NodePort or load-balancer address).
fn target_index(pb: Playback, source: usize, targets: &[(String, u32, u16)]) -> usize {
    pb.target.get().unwrap_or_else(|| {
        if source != OUTSIDE {
            return 0;
        }
        targets
            .iter()
            .position(|(label, _, _)| label.contains(" NodePort ") || label.contains(" LB "))
            .unwrap_or(0)
    })
}

/// Sends the requests owed after `ms` of simulated time.
pub fn send_traffic(lab: Lab, pb: Playback, ms: f64) {
    if !pb.traffic_on.get_untracked() {
        return;
    }
    let owed = pb.owed.get_value() + pb.rate.get_untracked().clamp(0.5, 200.0) * ms / 1000.0;
    let n = owed.floor() as usize;
    pb.owed.set_value(owed - n as f64);
    if n == 0 {
        return;
    }
    let srcs = sources(lab);
    let tgts = targets(lab);
    let source = pb.source.get_untracked();
    let target = untrack(|| target_index(pb, source, &tgts));
    let (Some((_, client)), Some((label, ip, port))) = (srcs.get(source), tgts.get(target)) else {
        return;
    };
    let mut served: Vec<String> = Vec::new();
    lab.shell.update_value(|sh| {
        for _ in 0..n {
            crate::shell::curl::probe(sh, client, *ip, *port, &format!("traffic to {label}"));
            served.extend(sh.traces.last().and_then(|t| t.served_by()));
        }
    });
    pb.counts.update(|c| {
        for s in served {
            *c.entry(s).or_default() += 1;
        }
    });
    lab.version.update(|v| *v += 1);
}

#[component]
pub fn Controls(lab: Lab, pb: Playback, step: Callback<()>) -> impl IntoView {
    let source_options = move || {
        lab.track_cluster();
        sources(lab)
            .into_iter()
            .enumerate()
            .map(|(i, (label, _))| view! { <option value=i.to_string()>{label}</option> })
            .collect_view()
    };
    let target_options = move || {
        lab.track_cluster();
        let tgts = targets(lab);
        let chosen = target_index(pb, pb.source.get(), &tgts);
        tgts.into_iter()
            .enumerate()
            .map(|(i, (label, _, _))| {
                view! { <option value=i.to_string() selected=i == chosen>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="controls" aria-label="Playback and traffic">
            <div class="controls__row">
                <button type="button" on:click=move |_| pb.playing.set(true) disabled=move || pb.playing.get()>"Play"</button>
                <button type="button" on:click=move |_| pb.playing.set(false) disabled=move || !pb.playing.get()>"Pause"</button>
                <button type="button" on:click=move |_| step.run(())>"Step"</button>
                <label>
                    "Speed "
                    <select aria-label="Speed" on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            pb.speed.set(v);
                        }
                    }>
                        <option value="0.1">"0.1×"</option>
                        <option value="0.5">"0.5×"</option>
                        <option value="1" selected>"1×"</option>
                        <option value="2">"2×"</option>
                        <option value="4">"4×"</option>
                    </select>
                </label>
            </div>
            <div class="controls__row">
                <label>"From " <select aria-label="Traffic source" on:change=move |ev| {
                    pb.source.set(event_target_value(&ev).parse().unwrap_or(0));
                }>{source_options}</select></label>
                <label>"To " <select aria-label="Traffic target" on:change=move |ev| {
                    pb.target.set(event_target_value(&ev).parse().ok());
                }>{target_options}</select></label>
                <label>"Requests/s "
                    <input type="number" aria-label="Requests per second" min="0.5" max="200" step="0.5"
                        prop:value=move || pb.rate.get().to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                pb.rate.set(v.clamp(0.5, 200.0));
                            }
                        }/>
                </label>
                <button type="button" on:click=move |_| {
                    if !pb.traffic_on.get_untracked() {
                        pb.counts.set(BTreeMap::new());
                        pb.owed.set_value(0.0);
                    }
                    pb.traffic_on.update(|t| *t = !*t);
                }>{move || if pb.traffic_on.get() { "Stop traffic" } else { "Start traffic" }}</button>
            </div>
        </section>
    }
}

/// How many of the latest requests the list shows.
const RECENT: usize = 8;

/// What traffic did: responses per pod since traffic started, and the latest requests (from the
/// generator or typed as curl); choosing one selects it for the inspector and flies it again.
/// Both keep their place and size (they scroll), so the cluster view never moves.
#[component]
pub fn TrafficLog(
    lab: Lab,
    pb: Playback,
    selected: RwSignal<Option<super::inspector::Selection>>,
) -> impl IntoView {
    // one row per pod that answered, kept while traffic runs: a new count changes a transform
    // and a text, not the list (a hundred rows rebuilt at every tick cost frames)
    let pods = move || pb.counts.with(|c| c.keys().cloned().collect::<Vec<_>>());
    let max = Memo::new(move |_| {
        pb.counts
            .with(|c| c.values().copied().max().unwrap_or(1).max(1))
    });
    let count = move |pod: &str| pb.counts.with(|c| c.get(pod).copied().unwrap_or(0));
    let row = move |pod: String| {
        let (p1, p2, label) = (pod.clone(), pod.clone(), pod.clone());
        let length = move || format!("scaleX({:.3})", count(&p1) as f64 / max.get() as f64);
        view! {
            <li class="bars__row" data-pod-count=pod>
                <span class="bars__label" title=pod.clone()>{label}</span>
                <span class="bars__track"><span class="bars__bar" style:transform=length></span></span>
                <span class="bars__n">{move || count(&p2).to_string()}</span>
            </li>
        }
    };
    let recent = move || {
        lab.version.track();
        lab.shell.with_value(|sh| {
            sh.traces
                .iter()
                .rev()
                .take(RECENT)
                .map(|t| (t.id, recent_label(t)))
                .collect::<Vec<_>>()
        })
    };
    let pick = move |id: u64| {
        selected.set(Some(super::inspector::Selection::Request(id)));
        pb.replay.set(Some((id, super::now_ms())));
    };
    view! {
        <section class="traffic-log" aria-label="Traffic">
            <ul class="bars" aria-label="Responses per pod">
                <For each=pods key=|p| p.clone() let:pod>{row(pod)}</For>
            </ul>
            <ol class="recent" aria-label="Recent requests">
                <For each=recent key=|r| r.clone() let:r>
                    <li>
                        <button type="button" class="recent__item" data-request-item=r.0.to_string()
                            aria-pressed=move || {
                                let on = selected.with(|s| {
                                    *s == Some(super::inspector::Selection::Request(r.0))
                                });
                                on.to_string()
                            }
                            on:click=move |_| pick(r.0)>{r.1.clone()}</button>
                    </li>
                </For>
            </ol>
        </section>
    }
}

/// One line of the recent requests: its number, how it ended (by which pod, or why not; first:
/// the line may be cut), and what sent it where.
fn recent_label(t: &crate::shell::curl::Trace) -> String {
    let how = match t.served_by() {
        Some(pod) => format!(" by {pod}"),
        None if t.state != "served" => format!(": {}", t.summary),
        None => String::new(),
    };
    let what = if t.command.is_empty() {
        t.url.clone()
    } else {
        t.command.clone()
    };
    format!("#{} {}{how} · {what}", t.id, t.state)
}
