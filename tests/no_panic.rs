//! No input panics: random mutations of manifests and random command lines, from a fixed seed,
//! go through the same interpreter the CLI and the browser use. A panic names the input.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use svclab::shell::{Files, Shell};
use svclab::sim::Cluster;

struct Mem(BTreeMap<String, String>);
impl Files for Mem {
    fn read(&self, path: &str) -> Result<String, String> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| format!("the path \"{path}\" does not exist"))
    }
}

const MANIFEST: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: kicbase/echo-server:1.0
        ports:
        - containerPort: 8080
          name: http
        readinessProbe:
          httpGet:
            port: http
          initialDelaySeconds: 3
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
    nodePort: 30080
  sessionAffinity: ClientIP
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: c
  data:
    a: b
- apiVersion: v1
  kind: Endpoints
  metadata:
    name: ext
  subsets:
  - addresses:
    - ip: 10.0.0.9
    ports:
    - port: 5432
";

const TOKENS: &[&str] = &[
    "kubectl",
    "get",
    "describe",
    "apply",
    "create",
    "run",
    "expose",
    "scale",
    "label",
    "annotate",
    "delete",
    "patch",
    "exec",
    "minikube",
    "service",
    "ip",
    "list",
    "pods",
    "svc",
    "ep",
    "endpointslices",
    "deploy",
    "rs",
    "nodes",
    "ns",
    "cm",
    "all",
    "pod,svc,ep",
    "web",
    "pod/web",
    "deployment/web",
    "-n",
    "kube-system",
    "-A",
    "-l",
    "app=web",
    "app==x==y",
    "--field-selector",
    "&&",
    "for x in a b; do",
    "done",
    "X=$(kubectl get nodes -o name)",
    "||",
    ";",
    "&",
    "2>&1",
    ">",
    "2>/dev/null",
    "<",
    "<<",
    "<<EOF",
    "<<-'END'",
    "EOF\n",
    "\n",
    "\n\tEND\n",
    "cat",
    "printf",
    "%d",
    "%-5s|%03x",
    "\\0",
    "config",
    "set-context",
    "use-context",
    "get-contexts",
    "--current",
    "--namespace=kube-system",
    "--context=x",
    "--cluster=kind",
    "events",
    "-o=yaml",
    "--sort-by=.lastTimestamp",
    "ds/kube-proxy",
    "sh",
    "-c",
    "echo $(hostname) $HOSTNAME",
    ">&",
    "port-forward",
    "rollout",
    "wait",
    "--dry-run",
    "--dry-run=server",
    "--dry-run=client",
    "--template",
    "{{range .items}}{{.metadata.name}}{{end}}",
    "gcr.io/google-samples/kubernetes-bootcamp:v1",
    "localhost:8080",
    "--for=condition=Ready",
    "--for=jsonpath={.status.phase}=Running",
    "--for=delete",
    "--timeout=0",
    "history",
    "undo",
    "pause",
    "resume",
    "--to-revision=1",
    "--revision=2",
    "svc/web",
    "8080:80",
    ":http",
    "--address",
    "\\é;",
    "spec.nodeName=minikube-m02,status.phase!=Running",
    "metadata.name=a\\",
    "events",
    "-o",
    "yaml",
    "json",
    "wide",
    "name",
    "jsonpath={.items[*].metadata.name}",
    "jsonpath={.spec.ports[?(@.port==\"80\")]}",
    "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
    "--show-labels",
    "--sort-by=.metadata.name",
    "--sort-by={.spec}",
    "--sort-by=",
    "--sort-by={",
    "ds",
    "daemonset/kube-proxy",
    "-o=custom-columns=N:.metadata.name,X:{.spec.nodeName}",
    "-f",
    "m.yaml",
    "x.yaml",
    "--",
    "printenv",
    "nslookup",
    "-type=srv",
    "-type=PTR",
    "-type=",
    "_http._tcp.web.default.svc.cluster.local",
    "10.96.0.10",
    "10.0.96.10.in-addr.arpa",
    "a.b.c.d.e.f.svc.cluster.local",
    "--image=busybox:1.28",
    "--image=busybox:1.",
    "--image=nicolaka/netshoot",
    "tunnel",
    "--bind-address=1.2.3.4",
    "--tcp=4294967376",
    "--port=99999999999999999999",
    "cat",
    "/etc/resolv.conf",
    "hostname",
    "sh",
    "-c",
    "--image=busybox",
    "--image=nginx",
    "--port=80",
    "--port=x",
    "--replicas=3",
    "--replicas=-1",
    "--type=NodePort",
    "--type=Bogus",
    "--target-port=http",
    "--expose",
    "--grace-period=0",
    "--grace-period=99999999999999",
    "--force",
    "--wait=false",
    "-p",
    "{\"spec\":{\"type\":\"LoadBalancer\"}}",
    "[{\"op\":\"remove\",\"path\":\"/spec/ports/0\"}]",
    "--type=json",
    "--type=merge",
    "--subresource=status",
    "k=v",
    "k-",
    "--overwrite",
    "sleep",
    "5",
    "0.5",
    "echo",
    "|",
    "grep",
    "-i",
    "a",
    "head",
    "-n",
    "2",
    "'",
    "\"",
    "\\",
    "ünïcödé",
    "\\é$X",
    "$(",
    ")",
    "$(echo",
    "$X",
    "${X}",
    "${",
    "X=1",
    "export",
    "-o=go-template={{range .items}}{{.metadata.name}}{{end}}",
    "go-template={{(index .spec.ports 0).nodePort}}",
    "go-template={{",
    "",
    "--",
    "-",
    "=",
    "{",
    "}",
    "[",
    "]",
    "--bogus",
    "-z",
    "clusterip",
    "nodeport",
    "externalname",
    "--external-name=example.com",
    "--tcp=80:8080",
    "--clusterip=None",
    "curl",
    "wget",
    "-qO-",
    "-s",
    "-sS",
    "-v",
    "-m",
    "--connect-timeout",
    "http://web",
    "web:80",
    "10.96.0.1",
    "192.168.49.2:30080",
    "https://10.96.0.1",
    "http://[::1]:80/x",
    "localhost:99999",
    "ssh",
    "minikube-m02",
    "sudo",
    "iptables-save",
    "iptables",
    "-t",
    "nat",
    "-S",
    "KUBE-SERVICES",
    "svclab",
    "trace",
    "--json",
    "exit",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}\\n",
    "-X",
    "-sSm",
];

fn mutate(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut b: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..rng.random_range(1..6) {
        if b.is_empty() {
            break;
        }
        let i = rng.random_range(0..b.len());
        match rng.random_range(0..6) {
            0 => b[i] = rng.random(),
            1 => {
                b.remove(i);
            }
            2 => b.insert(
                i,
                *b": -[]{}\t\n#&*!|>'\"%@`0"
                    .get(rng.random_range(0..23))
                    .unwrap_or(&b' '),
            ),
            3 => b.truncate(i),
            4 => {
                let j = rng.random_range(0..b.len());
                let chunk: Vec<u8> = b[i.min(j)..i.max(j)].to_vec();
                b.splice(i..i, chunk);
            }
            _ => b.extend_from_slice("\n---\n".as_bytes()),
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

#[test]
fn random_manifests_and_command_lines_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let base = Cluster::new(1);
    let cases: usize = std::env::var("NO_PANIC_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    for case in 0..cases {
        let manifest = if case == 0 {
            MANIFEST.to_string()
        } else {
            mutate(&mut rng, MANIFEST)
        };
        // the editor's highlighting cuts any text into pieces that give it back
        let lines = svclab::scene::yaml_tokens::highlight(&manifest);
        let back: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|(_, s)| *s).collect())
            .collect();
        assert_eq!(back.join("\n"), manifest, "case {case}");
        let mut files = BTreeMap::new();
        files.insert("m.yaml".to_string(), manifest.clone());
        let mut sh = Shell::new(base.clone(), Box::new(Mem(files)));
        let mut lines = vec!["kubectl apply -f m.yaml".to_string()];
        for _ in 0..8 {
            let n = rng.random_range(1..9);
            let words: Vec<&str> = (0..n)
                .map(|_| TOKENS[rng.random_range(0..TOKENS.len())])
                .collect();
            lines.push(words.join(" "));
        }
        lines.push("kubectl get all -A -o wide".into());
        lines.push("curl -v 192.168.49.2:30080 192.168.49.3:30080".into());
        lines.push("minikube ssh -- sudo iptables-save".into());
        lines.push("svclab trace --json".into());
        lines.push("kubectl describe svc,pods".into());
        for line in &lines {
            let r = catch_unwind(AssertUnwindSafe(|| sh.run(line)));
            assert!(
                r.is_ok(),
                "panic on case {case}, line {line:?}, manifest:\n{manifest}"
            );
            // the lab editor places the apply's errors in the text
            if let Ok(out) = r {
                let d =
                    catch_unwind(|| svclab::shell::diagnose::diagnose(&manifest, &out.stderr()));
                assert!(d.is_ok(), "diagnose panicked on case {case}:\n{manifest}");
            }
        }
    }
}
