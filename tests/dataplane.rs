//! The dataplane's tables, data-driven: the masquerade matrix of spec §3.5 walked packet by
//! packet (`tests/dataplane/masquerade.yaml`), `CategorizeEndpoints`
//! (`tests/dataplane/categorize.yaml`), and the uniformity of the 1/n cascade.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use svclab::shell::{Files, Shell};
use svclab::sim::net::{ip_to_string, parse_ip};
use svclab::sim::object::{Kind, Object};
use svclab::sim::proxy::model::{categorize, Ep, Proto, SvcPort};
use svclab::sim::proxy::walk::{Client, Outcome};
use svclab::sim::Cluster;

struct Mem(BTreeMap<String, String>);
impl Files for Mem {
    fn read(&self, p: &str) -> Result<String, String> {
        self.0.get(p).cloned().ok_or_else(|| format!("no {p}"))
    }
}

fn data(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/dataplane/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// A shell over a fresh cluster after `kubectl apply` of `manifest` and a few seconds.
fn lab(manifest: &str) -> Shell {
    let mut files = BTreeMap::new();
    files.insert("m.yaml".to_string(), manifest.to_string());
    let mut sh = Shell::new(Cluster::new(7), Box::new(Mem(files)));
    let out = sh.run("kubectl apply -f m.yaml");
    assert_eq!(out.code, 0, "{}", out.stderr());
    sh.run("sleep 5");
    sh
}

const MATRIX_LAB: &str = "
apiVersion: v1
kind: Pod
metadata: {name: ep-local, labels: {app: web}}
spec:
  nodeName: minikube
  containers: [{name: c, image: 'registry.k8s.io/echoserver:1.10'}]
---
apiVersion: v1
kind: Pod
metadata: {name: ep-remote, labels: {app: web}}
spec:
  nodeName: minikube-m02
  containers: [{name: c, image: 'registry.k8s.io/echoserver:1.10'}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  nodeName: minikube
  containers: [{name: c, image: 'busybox:1.36', command: [sleep, '3600']}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
";

#[derive(Deserialize)]
struct Matrix {
    policies: BTreeMap<String, BTreeMap<String, String>>,
    rows: Vec<BTreeMap<String, serde_yaml_ng::Value>>,
}

#[test]
fn masquerade_matrix() {
    let m: Matrix = serde_yaml_ng::from_str(&data("masquerade.yaml")).expect("matrix");
    let mut failures = Vec::new();
    for (policy, spec) in &m.policies {
        let mut sh = lab(MATRIX_LAB);
        let patch = serde_json::json!({ "spec": spec }).to_string();
        let out = sh.run(&format!("kubectl patch svc web -p '{patch}'"));
        assert_eq!(out.code, 0, "{}", out.stderr());
        // minikube has no load-balancer controller: a cloud's, imitated as one writes status
        let out = sh.run(r#"kubectl patch svc web --subresource=status --type=merge -p '{"status":{"loadBalancer":{"ingress":[{"ip":"192.168.49.100"}]}}}'"#);
        assert_eq!(out.code, 0, "{}", out.stderr());
        let svc = match sh.cluster.get(Kind::Service, "default", "web") {
            Some(Object::Service(s)) => s.clone(),
            _ => panic!("no service"),
        };
        let cluster_ip =
            parse_ip(svc.spec.as_ref().unwrap().cluster_ip.as_deref().unwrap()).unwrap();
        let lb_ip = svc
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|l| l.ingress.as_ref())
            .and_then(|i| i.first())
            .and_then(|i| i.ip.as_deref())
            .and_then(parse_ip)
            .expect("an LB ingress IP");
        for row in &m.rows {
            let from = row["from"].as_str().unwrap();
            let to = row["to"].as_str().unwrap();
            let want: Vec<String> = row[policy.as_str()]
                .as_sequence()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let client = match from {
                "pod" => Client::Pod {
                    namespace: "default".into(),
                    name: "client".into(),
                },
                "node" => Client::Node("minikube".into()),
                _ => Client::Outside,
            };
            let (dst, port) = match to {
                "cluster-ip" => (cluster_ip, 80),
                "node-port" => (parse_ip("192.168.49.2").unwrap(), 30080),
                "localhost-node-port" => (parse_ip("127.0.0.1").unwrap(), 30080),
                _ => (lb_ip, 80),
            };
            let mut remote = false;
            let mut masq = BTreeSet::new();
            for _ in 0..40 {
                let w = sh.cluster.walk(&client, dst, port);
                let Outcome::Served { node, .. } = &w.outcome else {
                    failures.push(format!("{policy}: {from} → {to}: {:?}", w.outcome));
                    break;
                };
                remote |= Some(node) != w.entry_node.as_ref();
                masq.insert(w.masqueraded);
            }
            let got = [
                if remote { "both" } else { "local" }.to_string(),
                match (masq.contains(&true), masq.contains(&false)) {
                    (true, false) => "masq".to_string(),
                    (false, true) => "no-masq".to_string(),
                    _ => "mixed".to_string(),
                },
            ];
            if got.as_slice() != want.as_slice() {
                failures.push(format!(
                    "{policy}: {from} → {to}: want {want:?}, got {got:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[derive(Deserialize)]
struct CatCase {
    name: String,
    service: BTreeMap<String, serde_yaml_ng::Value>,
    endpoints: Vec<CatEp>,
    cluster: Option<Vec<String>>,
    local: Option<Vec<String>>,
    all: Vec<String>,
    any: bool,
}

#[derive(Deserialize)]
struct CatEp {
    ip: String,
    node: String,
    ready: Option<bool>,
    serving: Option<bool>,
    terminating: Option<bool>,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    nodes: Vec<String>,
}

#[test]
fn categorize_endpoints() {
    #[derive(Deserialize)]
    struct File {
        cases: Vec<CatCase>,
    }
    let f: File = serde_yaml_ng::from_str(&data("categorize.yaml")).expect("cases");
    let mut failures = Vec::new();
    for c in f.cases {
        let flag = |k: &str| c.service.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
        let node_port = c
            .service
            .get("nodePort")
            .and_then(|v| v.as_u64())
            .unwrap_or(0) as u16;
        let mut sp = SvcPort {
            namespace: "default".into(),
            name: "s".into(),
            port_name: String::new(),
            spn: "default/s".into(),
            proto: Proto::Tcp,
            cluster_ip: parse_ip("10.96.0.50").unwrap(),
            port: 80,
            node_port,
            external_ips: vec![],
            lb_ips: vec![],
            source_ranges: vec![],
            internal_local: flag("internalLocal"),
            external_local: false,
            affinity_seconds: None,
            health_check_node_port: 0,
            hash: String::new(),
        };
        sp.external_local = flag("externalLocal") && sp.externally_accessible();
        let eps: Vec<Ep> = c
            .endpoints
            .iter()
            .map(|e| Ep {
                ip: parse_ip(&e.ip).unwrap(),
                port: 80,
                addr: format!("{}:80", e.ip),
                ready: e.ready.unwrap_or(true),
                serving: e.serving.unwrap_or(true),
                terminating: e.terminating.unwrap_or(false),
                node_name: Some(e.node.clone()),
                zone_hints: e.zones.clone(),
                node_hints: e.nodes.clone(),
            })
            .collect();
        let r = categorize(&sp, &eps, "minikube", "a");
        let ips =
            |l: &[usize]| -> Vec<String> { l.iter().map(|&i| ip_to_string(eps[i].ip)).collect() };
        let got = (
            r.cluster.as_deref().map(ips),
            r.local.as_deref().map(ips),
            ips(&r.all_reachable),
            r.has_any,
        );
        let want = (c.cluster.clone(), c.local.clone(), c.all.clone(), c.any);
        if got != want {
            failures.push(format!("{}: want {want:?}, got {got:?}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The 1/n, 1/(n-1), … cascade gives each endpoint an equal share: chi-square over 8,000
/// connections to a 4-endpoint Service stays below the 0.1% critical value (df 3: 16.27).
#[test]
fn random_choice_is_uniform() {
    let mut sh = lab("
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: 'kicbase/echo-server:1.0'}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
");
    let ip = match sh.cluster.get(Kind::Service, "default", "web") {
        Some(Object::Service(s)) => {
            parse_ip(s.spec.as_ref().unwrap().cluster_ip.as_deref().unwrap()).unwrap()
        }
        _ => panic!("no service"),
    };
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    let n = 8000;
    for _ in 0..n {
        let w = sh.cluster.walk(&Client::Node("minikube".into()), ip, 80);
        let Outcome::Served {
            pod: Some((_, pod)),
            ..
        } = w.outcome
        else {
            panic!("not served: {:?}", w.outcome);
        };
        *counts.entry(pod).or_default() += 1.0;
    }
    assert_eq!(counts.len(), 4, "{counts:?}");
    let expected = n as f64 / 4.0;
    let chi2: f64 = counts
        .values()
        .map(|o| (o - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 16.27, "chi-square {chi2:.2} for {counts:?}");
}
