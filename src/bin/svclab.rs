//! `svclab [--seed N] [-f FILE]... [-- COMMAND LINE]`: a fresh simulated cluster, the manifests
//! applied as `kubectl apply -f` would, then one command line or a script from standard input.

use std::io::{BufRead, Write};
use svclab::shell::{Files, Output, Shell, Stream};
use svclab::sim::bootstrap::{node_info_from, NodeInfo};
use svclab::sim::object::{decode, Object};
use svclab::sim::Cluster;

struct DiskFiles;

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(format!("the path \"{path}\" does not exist"))
            }
            Err(e) => Err(format!("open {path}: {e}")),
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: svclab [--seed N] [-f FILE]... [-- COMMAND LINE]");
    std::process::exit(2);
}

/// Nodes declared in the manifests (`kind: Node`): the cluster boots with exactly those.
fn declared_nodes(files: &[String]) -> Vec<NodeInfo> {
    let mut nodes = Vec::new();
    for f in files {
        let Ok(text) = DiskFiles.read(f) else {
            continue;
        };
        let Ok(docs) = svclab::sim::yaml::split_documents(&text) else {
            continue;
        };
        for d in docs {
            let Ok(v) = svclab::sim::yaml::parse_document(&d.text) else {
                break;
            };
            let items = if v.get("kind").and_then(|k| k.as_str()) == Some("List") {
                v.get("items")
                    .and_then(|i| i.as_array())
                    .cloned()
                    .unwrap_or_default()
            } else {
                vec![v]
            };
            for item in items {
                if let Ok(Object::Node(n)) = decode(&item) {
                    let idx = nodes.len();
                    nodes.push(node_info_from(&n, idx));
                }
            }
        }
    }
    nodes
}

fn emit(o: &Output) {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for (s, t) in &o.chunks {
        match s {
            Stream::Out => {
                let mut l = stdout.lock();
                let _ = l.write_all(t.as_bytes());
                let _ = l.flush();
            }
            Stream::Err => {
                let _ = stdout.lock().flush();
                let mut l = stderr.lock();
                let _ = l.write_all(t.as_bytes());
                let _ = l.flush();
            }
        }
    }
}

fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed: u64 = 1;
    let mut files: Vec<String> = Vec::new();
    let mut command: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => {
                i += 1;
                seed = args
                    .get(i)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage());
            }
            s if s.starts_with("--seed=") => seed = s[7..].parse().unwrap_or_else(|_| usage()),
            "-f" | "--filename" => {
                i += 1;
                files.push(args.get(i).cloned().unwrap_or_else(|| usage()));
            }
            s if s.starts_with("--filename=") => files.push(s[11..].to_string()),
            "--" => {
                let rest: Vec<String> = args[i + 1..].iter().map(|a| quote(a)).collect();
                command = Some(rest.join(" "));
                break;
            }
            "-h" | "--help" => {
                println!("usage: svclab [--seed N] [-f FILE]... [-- COMMAND LINE]\n\nStarts a simulated `minikube start --nodes 3` cluster, applies each FILE as\n`kubectl apply -f FILE` would, then runs COMMAND LINE or the command lines read\nfrom standard input (kubectl, minikube, echo, sleep).");
                return;
            }
            _ => usage(),
        }
        i += 1;
    }
    let nodes = declared_nodes(&files);
    let cluster = if nodes.is_empty() {
        Cluster::new(seed)
    } else {
        Cluster::with_nodes(seed, nodes, true)
    };
    let mut shell = Shell::new(cluster, Box::new(DiskFiles));
    let mut failed = false;
    for f in &files {
        let o = shell.run(&format!("kubectl apply -f {}", quote(f)));
        emit(&o);
        failed |= o.code != 0;
    }
    match command {
        Some(c) => {
            let o = shell.run(&c);
            emit(&o);
            failed |= o.code != 0;
        }
        None => {
            let stdin = std::io::stdin();
            let lines = stdin.lock().lines().map_while(Result::ok);
            for text in svclab::shell::command_lines(lines) {
                let o = shell.run(&text);
                emit(&o);
                failed |= o.code != 0;
            }
        }
    }
    std::process::exit(if failed { 1 } else { 0 });
}
