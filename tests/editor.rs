//! The lab editor's diagnostics, data-driven (`tests/editor/diagnostics.yaml`): each error of
//! `kubectl apply -f` of the editor's text is shown at the line it is about.

use serde::Deserialize;
use svclab::shell::diagnose::diagnose;
use svclab::shell::{Files, Shell};
use svclab::sim::Cluster;

struct One(String);
impl Files for One {
    fn read(&self, _: &str) -> Result<String, String> {
        Ok(self.0.clone())
    }
}

#[derive(Deserialize)]
struct Case {
    name: String,
    manifest: String,
    want: Vec<Want>,
}

#[derive(Deserialize, Debug)]
struct Want {
    line: usize,
    contains: String,
}

#[test]
fn diagnostics_are_at_their_lines() {
    let path = format!(
        "{}/tests/editor/diagnostics.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let cases: Vec<Case> =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("cases");
    let mut failures = Vec::new();
    for c in cases {
        let mut sh = Shell::new(Cluster::new(1), Box::new(One(c.manifest.clone())));
        let out = sh.run("kubectl apply -f manifest.yaml");
        let got = diagnose(&c.manifest, &out.stderr());
        let ok = got.len() == c.want.len()
            && got
                .iter()
                .zip(&c.want)
                .all(|(g, w)| g.line == w.line && g.message.contains(&w.contains));
        if !ok {
            failures.push(format!("{}:\n  want {:?}\n  got  {got:?}", c.name, c.want));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kubectl_edit_opens_the_object_in_the_lab_editor() {
    let mut sh = Shell::new(Cluster::new(1), Box::new(One(String::new())));
    // the command line has no editor, and says so
    let cli = sh.run("kubectl edit svc kubernetes");
    assert_eq!(cli.code, 1);
    assert!(
        cli.stderr().contains("interactive editor"),
        "{}",
        cli.stderr()
    );
    sh.edits = Some(Vec::new());
    let out = sh.run("kubectl edit svc/kube-dns -n kube-system");
    assert_eq!(out.code, 0, "{}", out.stderr());
    assert!(out
        .stdout()
        .starts_with("service/kube-dns is open in the Manifest editor"));
    let r = &sh.edits.as_ref().expect("edits")[0];
    assert_eq!(
        (r.namespace.as_str(), r.name.as_str()),
        ("kube-system", "kube-dns")
    );
    assert!(r.yaml.contains("clusterIP: 10.96.0.10"), "{}", r.yaml);
    for owned in ["uid:", "resourceVersion:", "creationTimestamp:", "status:"] {
        assert!(!r.yaml.contains(owned), "{owned} in\n{}", r.yaml);
    }
    let missing = sh.run("kubectl edit svc nope");
    assert_eq!(
        missing.stderr(),
        "Error from server (NotFound): services \"nope\" not found\n"
    );
}
