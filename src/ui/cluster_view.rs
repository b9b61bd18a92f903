//! The cluster view (SVG): nodes as regions with their kube-proxy, pods in sticky slots,
//! Services with lines to the pods they select (ready endpoints solid, selected-but-not-ready
//! dashed), the trainer's machine, the load balancer when there is one, and the requests as
//! paths from client to pod.
//! Geometry comes from `scene::layout`; every label is a text node.

use super::dots::{Dot, Dots};
use super::inspector::Selection;
use super::now_ms;
use super::Lab;
use crate::scene::layout::{
    layout, trace_path, view_box_height, Layout, Leg, Link, PodBox, Rect, ServiceBox, Slots,
    Waypoint,
};
use crate::sim::net::ip_to_string;
use leptos::prelude::*;

/// How many of the latest finished requests stay drawn.
const SHOWN_REQUESTS: usize = 12;

/// At most this many requests in flight are drawn (the traffic generator at 200/s and 4×).
const MAX_IN_FLIGHT: usize = 1000;

/// How long a request's dot travels from client to pod, in wall-clock milliseconds.
const FLIGHT_MS: f64 = 1200.0;

/// `prefers-reduced-motion: reduce`: requests land at once, without a moving dot.
fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

fn svg_path(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }))
        .collect()
}

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A request as drawn: its id, state, the pod that served it, its path and a one-line summary.
struct DrawnRequest {
    id: u64,
    /// still travelling (drawn as a moving dot, `data-state="in-flight"`)
    flying: bool,
    /// when it was first drawn (wall clock, ms)
    born: f64,
    state: String,
    served_by: String,
    path: Vec<Waypoint>,
    summary: String,
}

/// The packet's addresses along a flight of `FLIGHT_MS`: for each leg, when it starts and how
/// long it lasts (seconds: the dot moves at one speed, so a leg's time is its share of the
/// length), the addresses on it (a DNS answer's as the client receives it), and whether the
/// node it leaves rewrote them (DNAT, SNAT). A query given up on has no label back.
fn packet_labels(path: &[Waypoint]) -> Vec<(f64, f64, String, bool)> {
    let len = |a: (f64, f64), b: (f64, f64)| (b.0 - a.0).hypot(b.1 - a.1);
    let total: f64 = path.windows(2).map(|w| len(w[0].at, w[1].at)).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let secs = FLIGHT_MS / 1000.0;
    let mut out = Vec::new();
    let mut from = 0.0;
    for (i, w) in path.windows(2).enumerate() {
        let dur = secs * len(w[0].at, w[1].at) / total;
        let a = w[0].addrs;
        // what a node rewrote: the packet against itself on the leg before (a new packet
        // after a DNS answer is not a rewrite)
        let mut nat = Vec::new();
        let before = i.checked_sub(1).map(|j| path[j]);
        if let Some(b) = before.filter(|b| b.leg == Leg::Packet && w[0].leg == Leg::Packet) {
            if (b.addrs.dst, b.addrs.dport) != (a.dst, a.dport) {
                nat.push("DNAT");
            }
            if b.addrs.src != a.src {
                nat.push("SNAT");
            }
        }
        let text = match w[0].leg {
            Leg::GaveUp => None,
            Leg::Answer => Some(format!(
                "answer: {}:{} → {}",
                ip_to_string(a.dst),
                a.dport,
                ip_to_string(a.src)
            )),
            Leg::Packet if nat.is_empty() => Some(a.show()),
            Leg::Packet => Some(format!("{}: {}", nat.join("+"), a.show())),
        };
        if let Some(text) = text {
            out.push((from, dur, text, !nat.is_empty()));
        }
        from += dur;
    }
    out
}

/// The key of a drawn item: a hash of everything it is drawn from, so that an item is redrawn
/// exactly when its drawing would change, and a pod that comes or goes leaves the rest of the
/// view alone. (Keys were once `Debug` strings: printing every float of every item took 7 ms per
/// edit of a 200-object manifest.)
fn drawn_key(item: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    item.hash(&mut h);
    h.finish()
}

/// Nodes (each with its pods), Services, their links, the trainer's machine and the load
/// balancer, each list keyed (see `drawn_key`).
fn draw_cluster(scene: Memo<Layout>, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    let links = move || scene.with(|l| l.links.clone());
    let services = move || scene.with(|l| l.services.clone());
    let nodes = move || {
        scene.with(|l| {
            l.nodes
                .iter()
                .map(|n| n.view.name.clone())
                .collect::<Vec<_>>()
        })
    };
    // redrawn only when it moves (the layout widens), like every other drawn piece
    let outside = Memo::new(move |_| scene.with(|l| l.outside.clone()));
    let outside = move || {
        let o = outside.get();
        view! {
            <g class="viz-outside">
                <rect x=o.x y=o.y width=o.w height=o.h rx="8"></rect>
                <text x=o.x + 10.0 y=o.y + 24.0>"trainer's machine"</text>
                <text x=o.x + 10.0 y=o.y + 42.0 class="viz-node__meta">"192.168.49.1"</text>
            </g>
        }
    };
    // `minikube tunnel`'s route, under the trainer's machine while it runs
    let tunnel = Memo::new(move |_| scene.with(|l| (l.tunnel.clone(), l.outside.clone())));
    let tunnel = move || {
        let (route, o) = tunnel.get();
        route.map(|r| {
            view! {
                <text x=o.x + 10.0 y=o.y + o.h + 18.0 class="viz-node__meta" data-tunnel="true">{r}</text>
            }
        })
    };
    let balancer = Memo::new(move |_| scene.with(|l| l.balancer.clone()));
    let balancer = move || {
        balancer.get().map(|(r, ips)| {
            let lines = ips
                .into_iter()
                .enumerate()
                .map(|(i, ip)| {
                    view! { <text x=r.x + 10.0 y=r.y + 40.0 + 14.0 * i as f64 class="viz-node__meta">{ip}</text> }
                })
                .collect_view();
            view! {
                <g class="viz-lb" data-load-balancer="true">
                    <rect x=r.x y=r.y width=r.w height=r.h rx="8"></rect>
                    <text x=r.x + 10.0 y=r.y + 22.0>"load balancer"</text>
                    {lines}
                </g>
            }
        })
    };
    view! {
        <g class="viz-links">
            <For each=links key=drawn_key let:k>{draw_link(k)}</For>
        </g>
        <g class="viz-services">
            <For each=services key=drawn_key let:s>{draw_service(s, selected)}</For>
        </g>
        <g class="viz-nodes">
            <For each=nodes key=|n| n.clone() let:name>{draw_node(scene, name, selected)}</For>
        </g>
        {outside}
        {tunnel}
        {balancer}
    }
}

fn draw_link(k: Link) -> impl IntoView {
    let class = if k.ready {
        "viz-link"
    } else {
        "viz-link viz-link--not-ready"
    };
    view! {
        <line class=class x1=k.from.0 y1=k.from.1 x2=k.to.0 y2=k.to.1
            data-link-service=k.service data-link-pod=k.pod
            data-endpoint-ready=k.ready.to_string()></line>
    }
}

fn draw_service(s: ServiceBox, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    let (pick, key_pick) = pickers(selected);
    let r = &s.rect;
    let ext = if s.external.is_empty() {
        String::new()
    } else {
        format!(" · {}", s.external)
    };
    let sel = Selection::Service(s.key.clone());
    let sel2 = sel.clone();
    // the cluster's DNS is named as such: every lookup by name goes to it first
    let label = if s.dns {
        format!("Service {} (cluster DNS, served by CoreDNS)", s.key)
    } else {
        format!("Service {}", s.key)
    };
    view! {
        <g class=if s.dns { "viz-svc viz-svc--dns" } else { "viz-svc" } data-service=s.key.clone()
            data-dns=s.dns.to_string() tabindex="0" role="button"
            aria-label=label
            on:click=move |ev| pick(ev, sel.clone())
            on:keydown=move |ev| key_pick(ev, sel2.clone())>
            <rect x=r.x y=r.y width=r.w height=r.h rx="6"></rect>
            <text x=r.x + 8.0 y=r.y + 18.0 class="viz-svc__name">{s.name.clone()}</text>
            {s.dns.then(|| view! {
                <text x=r.x + r.w - 8.0 y=r.y + 18.0 class="viz-svc__badge" text-anchor="end">"cluster DNS"</text>
            })}
            <text x=r.x + 8.0 y=r.y + 33.0 class="viz-svc__meta">{format!("{} {}", s.kind, s.cluster_ip)}</text>
            <text x=r.x + 8.0 y=r.y + 46.0 class="viz-svc__meta">{format!("{}{ext}", s.ports)}</text>
        </g>
    }
}

/// A node, kept while the node exists: its frame follows the layout (nodes grow as pods come)
/// without redrawing the pods inside.
fn draw_node(
    scene: Memo<Layout>,
    name: String,
    selected: RwSignal<Option<Selection>>,
) -> impl IntoView {
    let (pick, key_pick) = pickers(selected);
    let node = {
        let name = name.clone();
        Memo::new(move |_| {
            scene.with(|l| {
                l.nodes.iter().find(|n| n.view.name == name).map(|n| {
                    (
                        n.rect.clone(),
                        n.proxy,
                        n.view.ip.clone(),
                        n.view.pod_cidr.clone(),
                    )
                })
            })
        })
    };
    let rect = move || {
        node.with(|n| {
            n.as_ref().map(|n| n.0.clone()).unwrap_or(Rect {
                x: 0.0,
                y: 0.0,
                w: 0.0,
                h: 0.0,
            })
        })
    };
    let proxy = move || node.with(|n| n.as_ref().map(|n| n.1).unwrap_or_default());
    let meta = move || {
        node.with(|n| {
            n.as_ref()
                .map(|n| format!("InternalIP {} · podCIDR {}", n.2, n.3))
                .unwrap_or_default()
        })
    };
    let pods = {
        let name = name.clone();
        move || {
            scene.with(|l| {
                l.pods
                    .iter()
                    .filter(|p| p.node == name)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }
    };
    let sel = Selection::Node(name.clone());
    let sel2 = sel.clone();
    view! {
        <g class="viz-node" data-node=name.clone()>
            <rect x=move || rect().x y=move || rect().y width=move || rect().w height=move || rect().h
                rx="10" tabindex="0" role="button"
                aria-label=format!("node {name}")
                on:click=move |ev| pick(ev, sel.clone())
                on:keydown=move |ev| key_pick(ev, sel2.clone())></rect>
            <text x=move || rect().x + 12.0 y=move || rect().y + 22.0 class="viz-node__name">{name.clone()}</text>
            <text x=move || rect().x + 12.0 y=move || rect().y + 40.0 class="viz-node__meta">{meta}</text>
            <g class="viz-proxy">
                <circle cx=move || proxy().0 cy=move || proxy().1 r="9"></circle>
                <text x=move || proxy().0 - 14.0 y=move || proxy().1 + 4.0 text-anchor="end">"kube-proxy"</text>
            </g>
            <For each=pods key=drawn_key let:p>{draw_pod(p, selected)}</For>
        </g>
    }
}

fn draw_pod(p: PodBox, selected: RwSignal<Option<Selection>>) -> impl IntoView {
    let (pick, key_pick) = pickers(selected);
    let pr = &p.rect;
    let class = if p.view.status == "Terminating" {
        "viz-pod viz-pod--terminating"
    } else if p.view.ready {
        "viz-pod"
    } else {
        "viz-pod viz-pod--not-ready"
    };
    // the state in words too: colour is never the only signal
    let state = if p.view.ready { "ready" } else { "not ready" };
    let sel = Selection::Pod(p.key.clone());
    let sel2 = sel.clone();
    view! {
        <g class=class data-pod=p.key.clone() data-ready=p.view.ready.to_string()
            tabindex="0" role="button" aria-label=format!("pod {}", p.key)
            on:click=move |ev| pick(ev, sel.clone())
            on:keydown=move |ev| key_pick(ev, sel2.clone())>
            <rect x=pr.x y=pr.y width=pr.w height=pr.h rx="4"></rect>
            <text x=pr.x + 6.0 y=pr.y + 14.0 class="viz-pod__name">{p.view.name.clone()}</text>
            <text x=pr.x + 6.0 y=pr.y + 26.0 class="viz-pod__ip">
                {format!("{} · {} ({state})", p.view.ip, p.view.status)}
            </text>
            <text x=pr.x + 6.0 y=pr.y + 38.0 class="viz-pod__labels">
                <title>{p.view.labels.clone()}</title>
                {fit(&p.view.labels, LABEL_CHARS)}
            </text>
        </g>
    }
}

/// How many characters of a failed request's reason are drawn where it stopped (the inspector
/// and the tooltip have all of it).
const WHY_CHARS: usize = 64;

/// How many characters of a pod's labels fit its box (10px monospace).
const LABEL_CHARS: usize = 48;

/// `text` cut to `max` characters, with an ellipsis when it was longer.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Clicking (or Enter on) a drawn thing selects it for the inspector.
fn pickers(
    selected: RwSignal<Option<Selection>>,
) -> (
    impl Fn(leptos::ev::MouseEvent, Selection) + Copy,
    impl Fn(leptos::ev::KeyboardEvent, Selection) + Copy,
) {
    let pick = move |ev: leptos::ev::MouseEvent, s: Selection| {
        ev.stop_propagation();
        selected.set(Some(s));
    };
    let key_pick = move |ev: leptos::ev::KeyboardEvent, s: Selection| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.stop_propagation();
            ev.prevent_default();
            selected.set(Some(s));
        }
    };
    (pick, key_pick)
}

/// A request in the list the view keys its drawing by: cheap to list a thousand times a
/// tick (only a request not drawn yet is looked up and drawn, by `drawn`).
#[derive(Clone, Copy)]
struct Shown {
    id: u64,
    /// when it was first drawn (wall clock, ms)
    born: f64,
    /// still travelling
    flying: bool,
    /// few are in flight: its dot is drawn in the SVG, with its trail and addresses (else on
    /// the canvas of `dots`)
    few: bool,
}

/// What request `s` is drawn from, looked up in the shell's traces.
fn drawn(l: &Layout, traces: &[crate::shell::curl::Trace], s: Shown) -> Option<DrawnRequest> {
    let t = &traces[traces.binary_search_by_key(&s.id, |t| t.id).ok()?];
    Some(DrawnRequest {
        id: s.id,
        flying: s.flying,
        born: s.born,
        state: t.state.clone(),
        served_by: t.served_by().unwrap_or_default(),
        path: trace_path(l, t.dns_walk.as_ref(), t.walk.as_ref()),
        summary: t.summary.clone(),
    })
}

/// One request, drawn once: a dot that travels its path from `begin` (the SVG document time,
/// in seconds: a dot added to a long-lived `<svg>` would otherwise start at time 0 and land at
/// once), and its state, which turns from in-flight to the outcome when its own `done` signal is
/// set (one signal per request: a signal with a thousand subscribers is slow to leave).
/// `few`: few fly, so the SVG draws the dot, its path and the packet's addresses; else the
/// element only carries the request's state, and `dots` paints its dot.
fn draw_request(
    r: DrawnRequest,
    begin: f64,
    few: bool,
    flights: Flights,
    dots: Dots,
    selected: RwSignal<Option<Selection>>,
) -> AnyView {
    let (pick, key_pick) = pickers(selected);
    let DrawnRequest {
        id,
        flying,
        born,
        state,
        served_by,
        path,
        summary,
    } = r;
    let pts: Vec<(f64, f64)> = path.iter().map(|w| w.at).collect();
    let end = pts.last().copied().unwrap_or((0.0, 0.0));
    let start = pts.first().copied().unwrap_or(end);
    // the outcome shows when the dot lands
    let done = RwSignal::new(!flying);
    if flying {
        flights.update_value(|f| {
            f.insert(id, (born, done));
        });
        // (a request flown again is drawn anew under the same id: only its own entry goes)
        on_cleanup(move || {
            flights.try_update_value(|f| {
                if f.get(&id).is_some_and(|(b, _)| *b == born) {
                    f.remove(&id);
                }
            });
        });
    }
    let in_flight = move || !done.get();
    let served = state == "served";
    // where a request failed, it says why (once it has landed there)
    let why = (few && !served).then(|| fit(&format!("{state}: {summary}"), WHY_CHARS));
    let state_now = move || {
        if in_flight() {
            "in-flight".to_string()
        } else {
            state.clone()
        }
    };
    let served_now = move || {
        if in_flight() {
            String::new()
        } else {
            served_by.clone()
        }
    };
    if flying && !few {
        // many fly: the canvas paints the dot; the element says what became of the request
        dots.add(
            id,
            Dot {
                pts,
                born,
                flight_ms: FLIGHT_MS,
                served,
            },
        );
        on_cleanup(move || dots.forget(id, born));
        let state_now2 = state_now.clone();
        return view! {
            <g class=move || format!("viz-req viz-req--{} viz-req--painted", state_now())
                data-request=id.to_string() data-state=state_now2 data-served-by=served_now></g>
        }
        .into_any();
    }
    let state_now2 = state_now.clone();
    let state_now3 = state_now.clone();
    let relative = svg_path(
        &pts.iter()
            .map(|(x, y)| (x - start.0, y - start.1))
            .collect::<Vec<_>>(),
    );
    let motion = move || {
        view! {
            <animateMotion dur=format!("{}ms", FLIGHT_MS) fill="freeze" begin=format!("{begin:.3}s")
                path=relative></animateMotion>
        }
    };
    let dot = if flying {
        // the packet carries its addresses: they change where a node's rules rewrite them
        let labels = packet_labels(&path)
            .into_iter()
            .map(|(from, dur, text, nat)| {
                view! {
                    <text class="viz-req__addr" class:viz-req__addr--nat=nat x="9" y="-9" visibility="hidden">
                        <set attributeName="visibility" to="visible"
                            begin=format!("{:.3}s", begin + from) dur=format!("{dur:.3}s")></set>
                        {text}
                    </text>
                }
            })
            .collect_view();
        view! {
            <g class="viz-req__packet" transform=format!("translate({:.1} {:.1})", start.0, start.1)>
                <circle r="6" class="viz-req__dot"></circle>
                {labels}
                {motion()}
            </g>
        }
        .into_any()
    } else {
        view! { <circle cx=end.0 cy=end.1 r="6"></circle> }.into_any()
    };
    let sel = Selection::Request(id);
    let sel2 = sel.clone();
    view! {
        <g class=move || format!("viz-req viz-req--{}", state_now()) data-request=id.to_string()
            data-state=state_now2 data-served-by=served_now
            tabindex="0" role="button" aria-label=move || format!("request {id}: {}", state_now3())
            on:click=move |ev| pick(ev, sel.clone())
            on:keydown=move |ev| key_pick(ev, sel2.clone())>
            <title>{summary}</title>
            {few.then(|| view! { <polyline points=points(&pts)></polyline> })}
            {dot}
            {why.map(|why| move || (!in_flight()).then(|| view! {
                <text class="viz-req__why" x=end.0 + 10.0 y=end.1 + 18.0>{why.clone()}</text>
            }))}
        </g>
    }
    .into_any()
}

/// The requests drawn in flight: id → (when drawn, the signal that lands it).
type Flights = StoredValue<std::collections::BTreeMap<u64, (f64, RwSignal<bool>)>>;

#[component]
pub fn ClusterView(
    lab: Lab,
    selected: RwSignal<Option<Selection>>,
    replay: RwSignal<Option<(u64, f64)>>,
) -> impl IntoView {
    let slots: StoredValue<Slots> = StoredValue::new(Slots::default());
    // when each request was first drawn (wall clock), and a signal that lands flying ones
    let born: StoredValue<std::collections::BTreeMap<u64, f64>> =
        StoredValue::new(Default::default());
    let landed = RwSignal::new(0u64);
    let flights: Flights = StoredValue::new(Default::default());
    let landing: StoredValue<Option<gloo_timers::callback::Timeout>, LocalStorage> =
        StoredValue::new_local(None);
    on_cleanup(move || landing.update_value(|t| drop(t.take())));
    let still = reduced_motion();
    let svg: NodeRef<leptos::svg::Svg> = NodeRef::new();
    // the geometry, recomputed when the cluster may have changed; the drawing of nodes, pods and
    // Services only when it differs (a request alone does not redraw them)
    let scene = Memo::new(move |_| {
        lab.track_cluster();
        let mut s = slots.get_value();
        let l = lab.shell.with_value(|sh| layout(&sh.cluster, &mut s));
        slots.set_value(s);
        l
    });
    // the requests in flight (up to MAX_IN_FLIGHT) and the latest finished ones, oldest first
    // (new ones are appended: inserting at the front of a thousand elements is slow); keyed by
    // id so that each is drawn once
    let requests = move || {
        lab.version.track();
        landed.track();
        let now = now_ms();
        // a request chosen in the list of recent ones flies again from now
        let replaying = replay
            .get()
            .filter(|(_, at)| !still && now - at < FLIGHT_MS);
        if let Some((id, at)) = replaying {
            born.update_value(|b| {
                b.insert(id, at);
            });
        }
        let mut reqs: Vec<Shown> = lab.shell.with_value(|sh| {
            let (mut flying, mut done) = (0, 0);
            let mut out = Vec::new();
            for t in sh.traces.iter().rev() {
                // a lookup that failed (NXDOMAIN) is drawn too: it went to CoreDNS
                if t.walk.is_none() && t.dns_walk.is_none() {
                    continue;
                }
                // older requests than those shown are not looked at (a request not drawn
                // would be taken for a new one), except the one asked to fly again
                if done >= SHOWN_REQUESTS && replaying.is_none_or(|(r, _)| r != t.id) {
                    if replaying.is_some_and(|(r, _)| t.id > r) {
                        continue;
                    }
                    break;
                }
                let t0 = born
                    .try_update_value(|b| *b.entry(t.id).or_insert(now))
                    .unwrap_or(now);
                let in_flight = !still && now - t0 < FLIGHT_MS;
                if in_flight && flying < MAX_IN_FLIGHT {
                    flying += 1;
                } else if !in_flight && done < SHOWN_REQUESTS {
                    done += 1;
                } else {
                    continue;
                }
                out.push(Shown {
                    id: t.id,
                    born: t0,
                    flying: in_flight,
                    few: false,
                });
            }
            out.reverse();
            out
        });
        // forget requests no longer drawn; redraw when the oldest flying one lands
        // (the list is in id order)
        born.update_value(|b| b.retain(|id, _| reqs.binary_search_by_key(id, |r| r.id).is_ok()));
        let next_landing = reqs
            .iter()
            .filter(|r| r.flying)
            .map(|r| r.born)
            .fold(f64::INFINITY, f64::min);
        if next_landing.is_finite() {
            let wait = (next_landing + FLIGHT_MS - now).max(0.0) as u32 + 20;
            let t = gloo_timers::callback::Timeout::new(wait.max(50), move || {
                let now = now_ms();
                // collected first: setting a signal may run effects that touch `flights`
                let due: Vec<RwSignal<bool>> = flights.with_value(|f| {
                    f.values()
                        .filter(|(born, done)| now - born >= FLIGHT_MS && !done.get_untracked())
                        .map(|(_, done)| *done)
                        .collect()
                });
                for done in due {
                    done.try_set(true);
                }
                landed.try_update(|n| *n += 1);
            });
            landing.update_value(|old| *old = Some(t));
        }
        let few = reqs.iter().filter(|r| r.flying).count() <= SHOWN_REQUESTS;
        for r in &mut reqs {
            r.few = few;
        }
        reqs
    };
    let clock = move || {
        svg.get_untracked()
            .and_then(|s| {
                use web_sys::wasm_bindgen::JsCast;
                s.dyn_into::<web_sys::SvgsvgElement>().ok()
            })
            .map(|s| f64::from(s.get_current_time()))
            .unwrap_or(0.0)
    };
    // the box the drawing is in (its width, and a height that changes seldom)
    let view_box = Memo::new(move |before: Option<&(f64, f64)>| {
        scene.with(|l| {
            let before = before.filter(|(w, _)| *w == l.width.ceil()).map(|b| b.1);
            (l.width.ceil(), view_box_height(l.height, before))
        })
    });
    let dots = Dots::new(svg, view_box.into());
    // a new window size scales the view: the landed dots are painted again to match
    let resized = window_event_listener(leptos::ev::resize, move |_| dots.repaint());
    on_cleanup(move || resized.remove());
    let draw = move |r: Shown| {
        let d = scene.with_untracked(|l| lab.shell.with_value(|sh| drawn(l, &sh.traces, r)));
        d.map(|d| draw_request(d, clock(), r.few, flights, dots, selected))
    };
    view! {
        <svg class="viz" role="img" aria-label="Cluster view" node_ref=svg
            viewBox=move || view_box.with(|(w, h)| format!("0 0 {w:.0} {h:.0}"))
            preserveAspectRatio="xMinYMin meet"
            width=move || view_box.with(|(w, _)| format!("{w:.0}"))
            height=move || view_box.with(|(_, h)| format!("{h:.0}"))
            on:click:capture=move |ev: leptos::ev::MouseEvent| {
                // a painted dot is over what the SVG draws under it: it takes the click first
                if let Some(id) = dots.hit(f64::from(ev.client_x()), f64::from(ev.client_y())) {
                    ev.stop_propagation();
                    selected.set(Some(Selection::Request(id)));
                }
            }>
            {draw_cluster(scene, selected)}
            <g class="viz-requests">
                <For each=requests key=|r| (r.id, r.born.to_bits()) let:r>
                    {draw(r)}
                </For>
            </g>
        </svg>
        {dots.canvas()}
    }
}
