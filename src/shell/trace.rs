//! `svclab trace [--json] [N]`: the last request's path (or request N), hop by hop — the node,
//! the rules that matched, the addresses before and after each NAT, and the verdict.

use super::curl::Trace;
use super::{Output, Shell};
use crate::sim::net::ip_to_string;
use crate::sim::proxy::walk::{Client, Hop, Outcome, Walk};
use serde_json::{json, Value};

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let Some(sub) = args.first() else {
        return Output::fail("usage: svclab trace [--json] [REQUEST]");
    };
    if sub != "trace" {
        return Output::fail(format!(
            "svclab: unknown command \"{sub}\" (svclab knows: trace)"
        ));
    }
    let json_out = args.iter().any(|a| a == "--json" || a == "-o=json");
    let wanted: Option<u64> = args[1..]
        .iter()
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok());
    let t = match wanted {
        Some(id) => sh.traces.iter().find(|t| t.id == id),
        None => sh.traces.last(),
    };
    let Some(t) = t else {
        return Output::fail(match wanted {
            Some(id) => format!("svclab: no request {id} (requests are numbered from 1; the lab keeps at least the last 1200)"),
            None => "svclab: no request yet: run curl or wget first".into(),
        });
    };
    let mut o = Output::ok();
    if json_out {
        let mut s = serde_json::to_string_pretty(&to_json(t)).unwrap_or_default();
        s.push('\n');
        o.out(s);
    } else {
        o.out(human(t));
    }
    o
}

fn client_name(c: &Client) -> String {
    match c {
        Client::Pod { namespace, name } => format!("pod {namespace}/{name}"),
        Client::Node(n) => format!("node {n}"),
        Client::Outside => "the trainer's machine".into(),
    }
}

fn hop_line(i: usize, h: &Hop, out: &mut String) {
    let changed = h.before != h.after;
    out.push_str(&format!(
        "  {i:>2}. {:<14} {:<20} {}{}\n",
        h.node.as_deref().unwrap_or("outside"),
        h.stage,
        h.before.show(),
        if changed {
            format!("  ⇒  {}", h.after.show())
        } else {
            String::new()
        }
    ));
    for r in &h.rules {
        out.push_str(&format!(
            "        {} {} #{}: {}\n",
            r.table.name(),
            r.chain,
            r.index,
            r.rule
        ));
    }
    if !h.note.is_empty() {
        out.push_str(&format!("        {}\n", h.note));
    }
}

fn walk_text(w: &Walk, out: &mut String) {
    for (i, h) in w.hops.iter().enumerate() {
        hop_line(i + 1, h, out);
    }
}

fn human(t: &Trace) -> String {
    let mut out = format!("request {}: {} ({})\n", t.id, t.url, t.command);
    if let Some(w) = &t.walk {
        out.push_str(&format!("from {}\n", client_name(&w.client)));
    }
    if !t.dns.is_empty() {
        out.push_str("DNS:\n");
        if let Some(dw) = &t.dns_walk {
            out.push_str(&format!(
                "  query to {}:53/UDP, {}\n",
                ip_to_string(dw.sent.dst),
                match &dw.outcome {
                    Outcome::Served {
                        pod: Some((ns, n)), ..
                    } => format!("answered by {ns}/{n}"),
                    _ => "no answer".into(),
                }
            ));
        }
        for (q, a) in &t.dns {
            out.push_str(&format!("  {q} → {a}\n"));
        }
    }
    if let Some(w) = &t.walk {
        out.push_str("path:\n");
        walk_text(w, &mut out);
        if let Some(seen) = w.seen {
            out.push_str(&format!(
                "the server saw the request come from {} (sent from {})\n",
                ip_to_string(seen.src),
                ip_to_string(w.sent.src)
            ));
        }
    }
    out.push_str(&format!("result: {} — {}\n", t.state, t.summary));
    out
}

fn addrs(a: &crate::sim::proxy::walk::Addrs) -> Value {
    json!({"src": ip_to_string(a.src), "dst": ip_to_string(a.dst), "dport": a.dport})
}

fn walk_json(w: &Walk) -> Value {
    json!({
        "client": client_name(&w.client),
        "entryNode": w.entry_node,
        "sent": addrs(&w.sent),
        "seen": w.seen.as_ref().map(addrs),
        "outcome": match &w.outcome {
            Outcome::Served { pod, node } => json!({"served": true, "pod": pod.as_ref().map(|(ns, n)| format!("{ns}/{n}")), "node": node}),
            Outcome::Refused { why } => json!({"refused": why}),
            Outcome::Dropped { why } => json!({"dropped": why}),
            Outcome::NoRoute { why } => json!({"noRoute": why}),
        },
        "hops": w.hops.iter().map(|h| json!({
            "kind": format!("{:?}", h.kind),
            "node": h.node,
            "stage": h.stage,
            "before": addrs(&h.before),
            "after": addrs(&h.after),
            "note": h.note,
            "rules": h.rules.iter().map(|r| json!({
                "table": r.table.name(), "chain": r.chain, "index": r.index, "rule": r.rule
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub fn to_json(t: &Trace) -> Value {
    json!({
        "id": t.id,
        "command": t.command,
        "url": t.url,
        "state": t.state,
        "summary": t.summary,
        "dns": t.dns.iter().map(|(q, a)| json!({"name": q, "answer": a})).collect::<Vec<_>>(),
        "dnsWalk": t.dns_walk.as_ref().map(walk_json),
        "walk": t.walk.as_ref().map(walk_json),
    })
}
