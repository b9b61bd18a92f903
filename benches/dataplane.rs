//! Benchmarks of the dataplane (run with `cargo bench --bench dataplane`): kube-proxy's rules for
//! 10,000 Services × 10 endpoints on one node, the re-sync after one edit, and one request's
//! walk through them. Prints the median and the slowest of the runs; the goals are in the issue
//! tracker. The walk scans KUBE-SERVICES as the kernel does, in order, but only the rules whose
//! `-d` can match the packet (see `ruleset::Flat`).

mod common;

use common::stats;
use std::time::Instant;
use svclab::sim::net::parse_ip;
use svclab::sim::object::{Kind, Object};
use svclab::sim::proxy::walk::{Client, Outcome};
use svclab::sim::Cluster;

/// `services` Services with 10 ready pods each, spread over 1,000 nodes (110 pods fit a node).
fn cluster(services: usize) -> Cluster {
    let mut c = Cluster::with_nodes(1, common::nodes(1000), false);
    let mut n = 0usize;
    for s in 0..services {
        for p in 0..10 {
            c.create(common::pod(s, p, n % 1000)).expect("create pod");
            n += 1;
        }
    }
    c.with_controllers_paused(|c| {
        for s in 0..services {
            c.create(common::service(s)).expect("create service");
        }
    });
    c.reconcile_now();
    c
}

fn main() {
    // freed memory is reused, as in the browser (see `keep_freed_memory`)
    assert!(svclab::keep_freed_memory(), "mimalloc's purge delay");
    let services: usize = std::env::var("BENCH_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let t = Instant::now();
    let base = cluster(services);
    println!(
        "(built {services} Services and {} pods in {:.0} ms)",
        services * 10,
        t.elapsed().as_secs_f64() * 1000.0
    );

    // 1. every rule of one node, from nothing
    let mut runs = Vec::new();
    let mut synced = base.clone();
    for i in 0..5 {
        let mut c = base.clone();
        let t = Instant::now();
        let rules = c.node_rules("node-000").expect("node");
        runs.push(t.elapsed());
        // reading the chain back (a copy of 10,000 rules) is not part of writing them
        let n = rules
            .chain(svclab::sim::proxy::rules::Table::Nat, "KUBE-SERVICES")
            .map(|v| v.len());
        assert!(n.unwrap_or(0) > services, "{n:?}");
        if i == 0 {
            synced = c;
        }
    }
    stats(
        &format!("rules on one node: {services} Services x 10 endpoints"),
        runs,
        "<= 100 ms",
    );

    // 2. one edit, then the node's re-sync (only that Service's rules are rewritten)
    let mut runs = Vec::new();
    let mut c = synced.clone();
    for i in 0..50 {
        let s = (i * 7919) % services;
        let label = if i % 2 == 0 {
            "moved".to_string()
        } else {
            format!("svc-{s}")
        };
        let out = c.with_controllers_paused(|c| {
            let Some(Object::Pod(mut p)) = c
                .get(Kind::Pod, "default", &format!("svc-{s}-pod-0"))
                .cloned()
            else {
                panic!("pod");
            };
            p.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert("app".into(), label.to_string());
            c.update(Object::Pod(p)).map(|_| ())
        });
        out.expect("update");
        c.reconcile_now();
        let t = Instant::now();
        c.node_rules("node-000").expect("node");
        runs.push(t.elapsed());
    }
    stats(
        "re-sync one node after one edit (a pod leaves its Service)",
        runs,
        "<= 1 ms",
    );

    // 3. one request from a node to a Service's ClusterIP, walked through the rules
    let mut c = synced.clone();
    let ips: Vec<u32> = (0..64)
        .map(|i| {
            let s = (i * 104_729) % services;
            match c.get(Kind::Service, "default", &format!("svc-{s}")) {
                Some(Object::Service(svc)) => {
                    parse_ip(svc.spec.as_ref().unwrap().cluster_ip.as_deref().unwrap()).unwrap()
                }
                _ => panic!("service"),
            }
        })
        .collect();
    // the first walk builds the index of the shared chains
    let _ = c.walk(&Client::Node("node-000".into()), ips[0], 80);
    let mut runs = Vec::new();
    for i in 0..2000 {
        let t = Instant::now();
        let w = c.walk(&Client::Node("node-000".into()), ips[i % ips.len()], 80);
        runs.push(t.elapsed());
        assert!(
            matches!(w.outcome, Outcome::Served { .. }),
            "{:?}",
            w.outcome
        );
    }
    stats(
        &format!("one request's walk with {services} Services"),
        runs,
        "<= 0.020 ms",
    );
}
