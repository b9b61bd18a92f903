//! `minikube`: `ip`, `service` (list, one Service, `--url`, `--all`) with minikube v1.32's
//! ASCII tables (olekukonko/tablewriter v0.0.5), as on a Linux docker-driver cluster where node
//! IPs are reachable.

use super::flags::{flag, val};
use super::{Output, Shell};
use crate::sim::kubelet::node_internal_ip;
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::Service;

fn node_ip(sh: &Shell, node: Option<&str>) -> Option<String> {
    let nodes = sh.cluster.list(Kind::Node, None);
    let n = match node {
        Some(name) => nodes.into_iter().find(|n| n.name() == name)?,
        None => nodes.into_iter().next()?,
    };
    match n {
        Object::Node(n) => node_internal_ip(n),
        _ => None,
    }
}

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let Some(sub) = args.first() else {
        return Output::fail("minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n\nsvclab knows: minikube ip, minikube service, minikube ssh, minikube tunnel");
    };
    let rest = &args[1..];
    match sub.as_str() {
        "ip" => {
            let p = match super::flags::parse(
                rest,
                &[val("node", Some('n')), val("profile", Some('p'))],
            ) {
                Ok(p) => p,
                Err(e) => return Output::fail(format!("Error: {e}")),
            };
            match node_ip(sh, p.get("node").or(p.get("namespace"))) {
                Some(ip) => {
                    let mut o = Output::ok();
                    o.out(format!("{ip}\n"));
                    o
                }
                None => Output::fail(format!(
                    "\n❌  Exiting due to GUEST_NODE_RETRIEVE: retrieving node: Could not find node {}\n",
                    p.get("node").or(p.get("namespace")).unwrap_or("")
                )),
            }
        }
        "service" => service(sh, rest),
        "ssh" => ssh(sh, rest),
        "tunnel" => tunnel(sh, rest),
        "status" => {
            let mut o = Output::ok();
            for (i, n) in sh.cluster.list(Kind::Node, None).iter().enumerate() {
                if i > 0 {
                    o.out("\n");
                }
                if i == 0 {
                    o.out(format!("{}\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\nkubeconfig: Configured\n", n.name()));
                } else {
                    o.out(format!(
                        "{}\ntype: Worker\nhost: Running\nkubelet: Running\n",
                        n.name()
                    ));
                }
            }
            o
        }
        "version" => {
            let mut o = Output::ok();
            o.out("minikube version: v1.32.0\ncommit: 8220a6eb95f0a4d75f7f2d7b14cef975f050512d\n");
            o
        }
        // minikube v1.32's other commands: it knows them, the lab does not simulate them
        other if NOT_SIMULATED.contains(&other) => Output::fail(format!(
            "svclab: \"minikube {other}\" is not simulated in this lab; its minikube knows ip, service, ssh, status, tunnel and version"
        )),
        other => Output::fail(format!(
            "Error: unknown command \"{other}\" for \"minikube\"\nRun 'minikube --help' for usage."
        )),
    }
}

const NOT_SIMULATED: &[&str] = &[
    "addons",
    "cache",
    "completion",
    "config",
    "cp",
    "dashboard",
    "delete",
    "docker-env",
    "image",
    "kubectl",
    "license",
    "logs",
    "mount",
    "node",
    "options",
    "pause",
    "podman-env",
    "profile",
    "ssh-host",
    "ssh-key",
    "start",
    "stop",
    "unpause",
    "update-check",
    "update-context",
];

struct Row {
    namespace: String,
    name: String,
    target: Vec<String>,
    urls: Vec<String>,
}

fn rows_for(svc: &Service, ip: &str) -> Row {
    let mut target = Vec::new();
    let mut urls = Vec::new();
    for p in svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.clone())
        .unwrap_or_default()
    {
        if let Some(np) = p.node_port.filter(|n| *n > 0) {
            target.push(match p.name.as_ref().filter(|n| !n.is_empty()) {
                Some(n) => format!("{n}/{}", p.port),
                None => p.port.to_string(),
            });
            urls.push(format!("http://{ip}:{np}"));
        }
    }
    Row {
        namespace: svc.metadata.namespace.clone().unwrap_or_default(),
        name: svc.metadata.name.clone().unwrap_or_default(),
        target,
        urls,
    }
}

fn is_number(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match t.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (t, None),
    };
    let int_ok = !int.is_empty()
        && (int.chars().all(|c| c.is_ascii_digit())
            || int.split(',').enumerate().all(|(i, g)| {
                g.chars().all(|c| c.is_ascii_digit())
                    && if i == 0 {
                        (1..=3).contains(&g.len())
                    } else {
                        g.len() == 3
                    }
            }));
    int_ok && frac.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

/// tablewriter v0.0.5 with all borders: centred headers, numbers right-aligned.
fn ascii_table(rows: &[Vec<String>]) -> String {
    let headers = ["NAMESPACE", "NAME", "TARGET PORT", "URL"];
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, cell) in r.iter().enumerate() {
            for line in cell.split('\n') {
                widths[i] = widths[i].max(line.chars().count());
            }
        }
    }
    let border = {
        let mut s = String::from("|");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('|');
        }
        s.push('\n');
        s
    };
    let mut out = border.clone();
    out.push('|');
    for (i, h) in headers.iter().enumerate() {
        let gap = widths[i] - h.chars().count();
        let left = gap / 2;
        out.push_str(&format!(
            " {}{}{} |",
            " ".repeat(left),
            h,
            " ".repeat(gap - left)
        ));
    }
    out.push('\n');
    out.push_str(&border);
    for r in rows {
        let lines = r.iter().map(|c| c.split('\n').count()).max().unwrap_or(1);
        for l in 0..lines {
            out.push('|');
            for (i, cell) in r.iter().enumerate() {
                let text = cell.split('\n').nth(l).unwrap_or("");
                let pad = widths[i] - text.chars().count();
                if is_number(text) {
                    out.push_str(&format!(" {}{} |", " ".repeat(pad), text));
                } else {
                    out.push_str(&format!(" {}{} |", text, " ".repeat(pad)));
                }
            }
            out.push('\n');
        }
    }
    out.push_str(&border);
    out
}

fn list_cells(r: &Row) -> Vec<String> {
    if r.urls.is_empty() {
        vec![
            r.namespace.clone(),
            r.name.clone(),
            "No node port".into(),
            String::new(),
        ]
    } else {
        vec![
            r.namespace.clone(),
            r.name.clone(),
            r.target.join("\n"),
            r.urls.join("\n"),
        ]
    }
}

/// `minikube tunnel` on Linux with the docker driver (node IPs reachable, so no SSH port
/// forwarding): a route for the service CIDR via the control-plane node and the load-balancer
/// emulator. The real command stays in the foreground and reports every 5 s until Ctrl-C; the
/// lab reports once and keeps the tunnel running (Ctrl-C in the lab's terminal stops it).
fn tunnel(sh: &mut Shell, args: &[String]) -> Output {
    let p = match super::flags::parse(
        args,
        &[
            flag("cleanup", Some('c')),
            val("bind-address", None),
            val("profile", Some('p')),
        ],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(format!("Error: {e}")),
    };
    if p.get("bind-address").is_some_and(|b| !b.is_empty()) {
        // with a bind address minikube takes the SSH port-forwarding tunnel instead
        return Output::fail(
            "svclab: `minikube tunnel --bind-address` (the SSH port-forwarding tunnel) is not simulated; run `minikube tunnel`",
        );
    }
    let running = sh.cluster.tunnel;
    let services = match running {
        Some(_) => Vec::new(),
        None => sh.cluster.start_tunnel(),
    };
    let pid = sh.cluster.tunnel.unwrap_or_default();
    // `Route.String()`: "<CIDR> -> <gateway>"; the machine is the profile's first node
    let (route, machine) = sh
        .cluster
        .tunnel_route()
        .map(|(cidr, gw, node)| (format!("{cidr} -> {gw}"), node))
        .unwrap_or_default();
    if running.is_some() {
        return Output::fail(format!(
            "\n❌  Exiting due to SVC_TUNNEL_START: error starting tunnel: error creating tunnel: another tunnel is already running, shut it down first: ID {{ Route: {route}, machineName: {machine}, Pid: {pid} }}\n"
        ));
    }
    sh.jobs.push(super::Job::Tunnel);
    let mut o = Output::ok();
    o.out(format!(
        "Status:\t\n\tmachine: {machine}\n\tpid: {pid}\n\troute: {route}\n\tminikube: Running\n\tservices: [{}]\n    errors: \n\t\tminikube: no errors\n\t\trouter: no errors\n\t\tloadbalancer emulator: no errors\n",
        services.join(", ")
    ));
    o
}

fn service(sh: &mut Shell, args: &[String]) -> Output {
    let p = match super::flags::parse(
        args,
        &[
            flag("url", None),
            flag("all", None),
            flag("https", None),
            val("format", None),
            val("profile", Some('p')),
        ],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(format!("Error: {e}")),
    };
    let ip = node_ip(sh, None).unwrap_or_else(|| "192.168.49.2".into());
    let scheme = if p.bool("https") { "https" } else { "http" };
    let fix = |u: String| {
        if scheme == "https" {
            u.replacen("http://", "https://", 1)
        } else {
            u
        }
    };
    let mut o = Output::ok();
    if p.args.first().map(String::as_str) == Some("list") {
        let ns = p.get("namespace");
        let rows: Vec<Vec<String>> = sh
            .cluster
            .list(Kind::Service, ns)
            .into_iter()
            .filter_map(|s| {
                if let Object::Service(s) = s {
                    Some(list_cells(&rows_for(s, &ip)))
                } else {
                    None
                }
            })
            .map(|mut c| {
                c[3] = fix(c[3].clone());
                c
            })
            .collect();
        o.out(ascii_table(&rows));
        return o;
    }
    let ns = p.get("namespace").unwrap_or("default").to_string();
    let services: Vec<Service> = if p.bool("all") {
        sh.cluster
            .list(Kind::Service, Some(&ns))
            .into_iter()
            .filter_map(|s| {
                if let Object::Service(s) = s {
                    Some((**s).clone())
                } else {
                    None
                }
            })
            .collect()
    } else {
        let Some(name) = p.args.first() else {
            return Output::fail(
                "\n❌  Exiting due to MK_USAGE: You must specify service name(s) or --all\n",
            );
        };
        match sh.cluster.get(Kind::Service, &ns, name) {
            Some(Object::Service(s)) => vec![(**s).clone()],
            _ => {
                let mut o = Output::ok();
                o.err(format!("\n❌  Exiting due to SVC_NOT_FOUND: Service '{name}' was not found in '{ns}' namespace.\nYou may select another namespace by using 'minikube service {name} -n <namespace>'. Or list out all the services using 'minikube service list'\n\n"));
                o.code = 115;
                return o;
            }
        }
    };
    let mut opened = Vec::new();
    for svc in &services {
        let r = rows_for(svc, &ip);
        if p.bool("url") {
            if r.urls.is_empty() {
                o.out(format!("😿  service {ns}/{} has no node port\n", r.name));
            }
            for u in &r.urls {
                o.out(format!("{}\n", fix(u.clone())));
            }
            continue;
        }
        if r.urls.is_empty() {
            o.out(ascii_table(&[vec![
                r.namespace.clone(),
                r.name.clone(),
                String::new(),
                "No node port".into(),
            ]]));
            o.out(format!("😿  service {ns}/{} has no node port\n", r.name));
        } else {
            let urls: Vec<String> = r.urls.iter().map(|u| fix(u.clone())).collect();
            o.out(ascii_table(&[vec![
                r.namespace.clone(),
                r.name.clone(),
                r.target.join("\n"),
                urls.join("\n"),
            ]]));
            opened.push(r.name.clone());
        }
    }
    for name in opened {
        o.out(format!(
            "🎉  Opening service {ns}/{name} in default browser...\n"
        ));
    }
    o
}

/// `minikube ssh [-n NODE] [-- COMMAND…]`: runs the command on the node, or opens a session
/// that lasts until `exit`.
fn ssh(sh: &mut Shell, args: &[String]) -> Output {
    let p = match super::flags::parse(
        args,
        &[
            val("node", Some('n')),
            val("profile", Some('p')),
            flag("native-ssh", None),
        ],
    ) {
        Ok(p) => p,
        Err(e) => return Output::fail(format!("Error: {e}")),
    };
    let nodes = sh.cluster.list(Kind::Node, None);
    let node = match p.get("node") {
        Some(n) => nodes
            .iter()
            .find(|o| o.name() == n)
            .map(|o| o.name().to_string()),
        None => nodes.first().map(|o| o.name().to_string()),
    };
    let Some(node) = node else {
        return Output::fail(format!(
            "\n❌  Exiting due to GUEST_NODE_RETRIEVE: retrieving node: Could not find node {}\n",
            p.get("node").unwrap_or("")
        ));
    };
    let mut words: Vec<String> = p.args.clone();
    words.extend(p.rest.clone().unwrap_or_default());
    if words.is_empty() {
        sh.session = Some(node);
        return Output::ok();
    }
    // the remote shell splits the command line again
    let line = words.join(" ");
    let w = match super::split_words(&line) {
        Ok(w) => w,
        Err(e) => return Output::fail(format!("bash: {e}")),
    };
    super::node_shell::run(sh, &node, &w)
}

#[cfg(test)]
mod tests {
    use super::ascii_table;

    #[test]
    fn seed_service_list_layout() {
        let rows = vec![
            vec![
                "default".into(),
                "deploy-hello-echo".into(),
                "8080".into(),
                "http://192.168.105.5:30330".into(),
            ],
            vec![
                "default".into(),
                "kubernetes".into(),
                "No node port".into(),
                "".into(),
            ],
        ];
        let t = ascii_table(&rows);
        assert_eq!(
            t,
            "|-----------|-------------------|--------------|----------------------------|\n\
             | NAMESPACE |       NAME        | TARGET PORT  |            URL             |\n\
             |-----------|-------------------|--------------|----------------------------|\n\
             | default   | deploy-hello-echo |         8080 | http://192.168.105.5:30330 |\n\
             | default   | kubernetes        | No node port |                            |\n\
             |-----------|-------------------|--------------|----------------------------|\n"
        );
    }
}
