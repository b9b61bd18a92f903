//! Benchmarks of the core (run with `cargo bench --bench core`): applying a 200-object manifest,
//! a full endpoints reconcile of 10,000 Services × 10 pods, and one edit to that cluster.
//! Prints the median and the slowest of the runs; the goals are in the issue tracker.

mod common;

use common::{ms, stats};
use std::time::Instant;
use svclab::shell::{Files, Shell};
use svclab::sim::object::{Kind, Object};
use svclab::sim::Cluster;

struct One(String);
impl Files for One {
    fn read(&self, _: &str) -> Result<String, String> {
        Ok(self.0.clone())
    }
}

fn manifest_200() -> String {
    let mut m = String::new();
    for i in 0..50 {
        m.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n      - name: web\n        image: kicbase/echo-server:1.0\n        ports:\n        - containerPort: 8080\n---\n"
        ));
        m.push_str(&format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  type: NodePort\n  selector:\n    app: app-{i}\n  ports:\n  - port: 80\n    targetPort: 8080\n---\n"
        ));
        m.push_str(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-{i}\ndata:\n  key: value-{i}\n---\n"));
        m.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: client-{i}\n  labels:\n    role: client\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n---\n"
        ));
    }
    m
}

fn big_cluster(services: usize, pods_per_service: usize) -> Cluster {
    // 400 nodes, each with its own /24, so that 100,000 pods get addresses
    let mut c = Cluster::with_nodes(1, common::nodes(400), false);
    let mut n = 0usize;
    for s in 0..services {
        for p in 0..pods_per_service {
            c.create(common::pod(s, p, n % 400)).expect("create pod");
            n += 1;
        }
    }
    c
}

fn add_services(c: &mut Cluster, services: usize) {
    c.with_controllers_paused(|c| {
        for s in 0..services {
            c.create(common::service(s)).expect("create service");
        }
    });
}

/// The timed reconcile, as its own symbol for a profiler (`callgrind --toggle-collect`): every
/// create and apply runs a reconcile too.
#[inline(never)]
fn full_reconcile(c: &mut Cluster) {
    c.reconcile_now();
}

/// Minor page faults of this process so far (Linux; `None` elsewhere). A run that touches fresh
/// memory pays for each new page in the kernel, and on this lab's VM a first touch of guest
/// memory also stalls in the host: the bench prints the count next to the times it explains.
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses and may contain spaces
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(7)?.parse().ok()
}

fn main() {
    // freed memory is reused, as in the browser (see `keep_freed_memory`)
    assert!(svclab::keep_freed_memory(), "mimalloc's purge delay");
    // 0. a fresh minikube cluster (the browser builds one before its first render)
    let mut runs = Vec::new();
    for seed in 0..20 {
        let t = Instant::now();
        let c = Cluster::new(seed);
        runs.push(t.elapsed());
        assert_eq!(c.list(Kind::Node, None).len(), 3);
    }
    stats(
        "boot the default cluster (Cluster::new)",
        runs,
        "(first render: <= 300 ms)",
    );

    // 1. kubectl apply of a 200-object manifest on a fresh default cluster
    let base = Cluster::new(1);
    let files = manifest_200();
    let mut runs = Vec::new();
    for _ in 0..20 {
        let mut sh = Shell::new(base.clone(), Box::new(One(files.clone())));
        let t = Instant::now();
        let out = sh.run("kubectl apply -f m.yaml");
        runs.push(t.elapsed());
        assert_eq!(out.code, 0, "{}", out.stderr());
    }
    stats(
        "apply a 200-object manifest (kubectl apply -f)",
        runs,
        "<= 5 ms",
    );
    // SVCLAB_BENCH_SMALL=apply stops here, for profiling the first apply alone.
    if std::env::var_os("SVCLAB_BENCH_SMALL").is_some_and(|v| v == "apply") {
        return;
    }

    // the editor's case: the same manifest applied again, unchanged and with one edit
    let mut sh = Shell::new(base.clone(), Box::new(One(files.clone())));
    sh.run("kubectl apply -f m.yaml");
    let applied = sh.cluster.clone();
    for (label, text, word) in [
        (
            "re-apply the 200 objects unchanged",
            files.clone(),
            "unchanged",
        ),
        (
            "re-apply the 200 objects, one replica count changed",
            files.replacen("replicas: 1", "replicas: 2", 1),
            "configured",
        ),
    ] {
        let mut runs = Vec::new();
        for _ in 0..20 {
            let mut sh = Shell::new(applied.clone(), Box::new(One(text.clone())));
            let t = Instant::now();
            let out = sh.run("kubectl apply -f m.yaml");
            runs.push(t.elapsed());
            assert!(out.stdout().contains(word), "{}", out.stdout());
        }
        stats(label, runs, "(the editor's budget: <= 16 ms)");
    }

    // the lab's editor: one shell applies its whole text after every edit (documents it has
    // read before are not parsed again)
    let texts = [
        files.clone(),
        files.replacen("replicas: 1", "replicas: 2", 1),
    ];
    let mut shared = Shell::new(applied.clone(), Box::new(One(texts[0].clone())));
    let mut runs = Vec::new();
    for i in 0..40 {
        shared.files = Box::new(One(texts[(i + 1) % 2].clone()));
        let t = Instant::now();
        let out = shared.run("kubectl apply -f m.yaml");
        runs.push(t.elapsed());
        assert!(out.stdout().contains("configured"), "{}", out.stdout());
    }
    stats(
        "the editor's re-apply after one edit (the same shell)",
        runs,
        "(the editor's budget: <= 16 ms)",
    );

    // SVCLAB_BENCH_SMALL=1 stops here, for profiling the apply path without the 10k build.
    if std::env::var_os("SVCLAB_BENCH_SMALL").is_some_and(|v| v != "reconcile") {
        return;
    }
    // 2. a full endpoints reconcile of 10,000 Services x 10 pods
    let services: usize = std::env::var("BENCH_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let t = Instant::now();
    let pods = big_cluster(services, 10);
    println!(
        "(created and started {} pods on 400 nodes in {:.0} ms)",
        services * 10,
        ms(t.elapsed())
    );
    // the pods are running (each create ran the scheduler and the kubelet)
    let mut cluster = pods;
    add_services(&mut cluster, services);
    // the endpoints controllers bring 10,000 new Services' slices and Endpoints up to date
    // An untimed first run is dropped before the timed ones, so that they reuse the memory it
    // freed, as a long-running lab does: a run that writes into fresh memory also measures the
    // kernel (and, on this lab's VM, the host) mapping it, and mimalloc asks for transparent
    // huge pages, so a page fault can zero 2 MB. (`keep_freed_memory` above stops mimalloc from
    // returning the freed memory meanwhile.) The last timed run's result is kept for the benches
    // below; the page faults of each run are printed.
    {
        let mut warm_up = cluster.clone();
        full_reconcile(&mut warm_up);
    }
    let mut reconciled = None;
    let mut runs = Vec::new();
    let mut faults = Vec::new();
    for _ in 0..5 {
        drop(reconciled.take());
        let mut c = cluster.clone();
        let f = minor_faults();
        let t = Instant::now();
        full_reconcile(&mut c);
        runs.push(t.elapsed());
        faults.extend(f.zip(minor_faults()).map(|(a, b)| b - a));
        reconciled = Some(c);
    }
    let reconciled = reconciled.expect("five runs");
    let slices = reconciled.list(Kind::EndpointSlice, Some("default")).len();
    assert!(slices >= services, "{slices} slices");
    let each: Vec<f64> = runs.iter().map(|d| common::ms(*d).round()).collect();
    stats(
        &format!("full reconcile: {services} new Services x 10 running pods"),
        runs,
        "<= 100 ms",
    );
    println!("(each run: {each:?} ms; minor page faults in each: {faults:?})");
    // SVCLAB_BENCH_SMALL=reconcile stops here, for profiling the full reconcile alone.
    if std::env::var_os("SVCLAB_BENCH_SMALL").is_some_and(|v| v == "reconcile") {
        return;
    }

    let mut runs = Vec::new();
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let mut c = reconciled.clone();
    for _ in 0..repeat {
        c.resync_all_services();
        let t = Instant::now();
        c.reconcile_now();
        runs.push(t.elapsed());
    }
    stats(
        &format!("full resync: {services} Services x 10 pods, nothing changed"),
        runs,
        "<= 100 ms",
    );

    // 3. one edit to that cluster: a pod leaves its Service, a Service changes its selector
    let mut runs = Vec::new();
    let mut c = reconciled.clone();
    for i in 0..50 {
        let name = format!("svc-{}-pod-0", i * 7);
        let Some(Object::Pod(mut pod)) = c.get(Kind::Pod, "default", &name).cloned() else {
            panic!("{name}")
        };
        pod.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("app".into(), "elsewhere".into());
        let t = Instant::now();
        c.update(Object::Pod(pod)).expect("update pod");
        runs.push(t.elapsed());
    }
    stats(
        "one edit: relabel a pod (two Services resync)",
        runs,
        "<= 1 ms",
    );
    let mut runs = Vec::new();
    for i in 0..50 {
        let name = format!("svc-{}", i * 11 + 1);
        let Some(Object::Service(mut svc)) = c.get(Kind::Service, "default", &name).cloned() else {
            panic!("{name}")
        };
        svc.spec.as_mut().expect("spec").selector = Some(
            [("app".to_string(), format!("svc-{}", i * 11 + 2))]
                .into_iter()
                .collect(),
        );
        let t = Instant::now();
        c.update(Object::Service(svc)).expect("update service");
        runs.push(t.elapsed());
    }
    stats("one edit: change a Service's selector", runs, "<= 1 ms");
}
