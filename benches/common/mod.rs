//! What the benchmarks share: the report line and the large clusters they build.

use std::time::Duration;
use svclab::sim::bootstrap::NodeInfo;
use svclab::sim::object::Object;

/// Prints the median, the fastest and the slowest of the runs, with the goal. (This lab's VM
/// shares its cores: the median moves by half between sittings, the fastest run much less.)
pub fn stats(name: &str, mut runs: Vec<Duration>, goal: &str) {
    runs.sort();
    let median = runs[runs.len() / 2];
    let max = runs[runs.len() - 1];
    println!(
        "{name:<62} median {:>8.3} ms   min {:>8.3} ms   max {:>8.3} ms   (goal {goal}, {} runs)",
        ms(median),
        ms(runs[0]),
        ms(max),
        runs.len()
    );
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `count` nodes, each with its own /24 of pod addresses (110 pods fit a node).
pub fn nodes(count: usize) -> Vec<NodeInfo> {
    (0..count)
        .map(|i| NodeInfo {
            name: format!("node-{i:03}"),
            ip: format!("192.168.{}.{}", 49 + i / 200, 2 + i % 200),
            pod_cidr: format!("10.{}.{}.0/24", 100 + i / 256, i % 256),
            labels: Default::default(),
        })
        .collect()
}

/// Pod `index` of Service `service`, bound to node `node` (no scheduling, no service links).
pub fn pod(service: usize, index: usize, node: usize) -> Object {
    Object::Pod(
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("svc-{service}-pod-{index}"), "namespace": "default", "labels": {"app": format!("svc-{service}")}},
            "spec": {"nodeName": format!("node-{node:03}"), "enableServiceLinks": false,
                "containers": [{"name": "web", "image": "kicbase/echo-server:1.0"}]}
        }))
        .expect("pod"),
    )
}

/// Service `service`, selecting its pods on port 80 → 8080.
pub fn service(service: usize) -> Object {
    Object::Service(
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("svc-{service}"), "namespace": "default"},
            "spec": {"selector": {"app": format!("svc-{service}")}, "ports": [{"port": 80, "targetPort": 8080}]}
        }))
        .expect("service"),
    )
}
