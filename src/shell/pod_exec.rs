//! `kubectl exec POD -- CMD`: the programs inside a container. What exists depends on the image
//! (echo servers are built FROM scratch and have no shell at all; busybox has its applets).

use super::flags::{flag, val};
use super::kubectl::{namespace, parse};
use super::{errors, Output, Shell};
use crate::sim::api::ApiError;
use crate::sim::dns::{self, Answer, QType};
use crate::sim::object::{Kind, Object};
use k8s_openapi::api::core::v1::{Container, Pod};

/// The tools an image ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Userland {
    /// FROM scratch: a single binary.
    Scratch,
    /// busybox applets (busybox, alpine-based curl images).
    Busybox { curl: bool },
    /// A distribution with BIND's nslookup and curl (netshoot, dnsutils).
    NetTools,
    /// A general distribution (debian/ubuntu based): coreutils, no nslookup.
    Distro,
}

fn userland(c: &Container) -> Userland {
    let image = c.image.as_deref().unwrap_or("");
    let repo = image.split(['@', ':']).next().unwrap_or(image);
    let repo = repo.strip_prefix("docker.io/").unwrap_or(repo);
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    match repo {
        "kicbase/echo-server" | "jmalloc/echo-server" | "pbitty/hello-from" => Userland::Scratch,
        "busybox" | "radial/busyboxplus" => Userland::Busybox {
            curl: repo == "radial/busyboxplus",
        },
        "curlimages/curl" | "alpine" => Userland::Busybox {
            curl: repo == "curlimages/curl",
        },
        "nicolaka/netshoot"
        | "registry.k8s.io/e2e-test-images/jessie-dnsutils"
        | "tutum/dnsutils" => Userland::NetTools,
        _ => Userland::Distro,
    }
}

/// `kubectl logs POD`: what the container's program printed. The echo servers announce their
/// port at start; requests arrive with the dataplane.
#[inline(never)]
pub fn logs(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            val("container", Some('c')),
            flag("follow", Some('f')),
            val("tail", None),
            flag("previous", Some('p')),
            flag("timestamps", None),
        ],
        "kubectl logs",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(&p);
    let Some(target) = p.args.first() else {
        return Output::fail(errors::usage(
            "kubectl logs",
            "expected POD or TYPE/NAME is a required argument for the logs command",
        ));
    };
    let pod_name = match target.split_once('/') {
        Some(("pod" | "pods" | "po", n)) => n.to_string(),
        Some((t, n)) => match first_pod_of(sh, &ns, t, n) {
            Ok(name) => name,
            Err(o) => return o,
        },
        None => target.clone(),
    };
    let Some(Object::Pod(pod)) = sh.cluster.get(Kind::Pod, &ns, &pod_name) else {
        return Output::fail(errors::single(&ApiError::not_found(Kind::Pod, &pod_name)));
    };
    let containers = pod
        .spec
        .as_ref()
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    let c = match p.get("container") {
        Some(cn) => containers.iter().find(|c| c.name == cn).cloned(),
        None if containers.len() > 1 => {
            let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
            return Output::fail(format!(
                "error: a container name must be specified for pod {pod_name}, choose one of: [{}]",
                names.join(" ")
            ));
        }
        None => containers.first().cloned(),
    };
    let Some(c) = c else {
        return Output::fail(format!(
            "error: container {} is not valid for pod {pod_name}",
            p.get("container").unwrap_or("")
        ));
    };
    let mut out = Output::ok();
    match crate::sim::programs::Program::for_container(&c) {
        crate::sim::programs::Program::EchoServer { port } => {
            out.out(format!("Echo server listening on port {port}.\n"))
        }
        crate::sim::programs::Program::Client => {}
        _ => out.err(format!(
            "svclab: the lab does not simulate the log output of {}\n",
            c.image.clone().unwrap_or_default()
        )),
    }
    out
}

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            val("container", Some('c')),
            flag("stdin", Some('i')),
            flag("tty", Some('t')),
            flag("quiet", Some('q')),
        ],
        "kubectl exec",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(&p);
    let Some(target) = p.args.first() else {
        return Output::fail(errors::usage(
            "kubectl exec",
            "pod, type/name or --filename must be specified",
        ));
    };
    let Some(cmd) = p.rest.clone().filter(|r| !r.is_empty()) else {
        return Output::fail(errors::usage(
            "kubectl exec",
            "you must specify at least one command for the container",
        ));
    };
    let pod_name = match target.split_once('/') {
        Some(("pod" | "pods" | "po", n)) => n.to_string(),
        Some((t, n)) => {
            // deploy/x, svc/x: kubectl picks the first pod of the object's selector
            match first_pod_of(sh, &ns, t, n) {
                Ok(name) => name,
                Err(o) => return o,
            }
        }
        None => target.clone(),
    };
    let mut out = Output::ok();
    if p.bool("tty") && !p.bool("stdin") {
        out.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    let r = exec_with(sh, &ns, &pod_name, p.get("container"), &cmd, p.bool("tty"));
    out.append(r);
    out
}

fn first_pod_of(sh: &Shell, ns: &str, t: &str, n: &str) -> Result<String, Output> {
    let kind = super::kubectl::resolve_kind(t).map_err(Output::fail)?;
    let obj = sh
        .cluster
        .get(kind, ns, n)
        .ok_or_else(|| Output::fail(errors::single(&ApiError::not_found(kind, n))))?;
    let selector = match obj {
        Object::Deployment(d) => d
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.clone()),
        Object::ReplicaSet(r) => r
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.clone()),
        Object::Service(s) => s.spec.as_ref().and_then(|s| s.selector.clone()),
        Object::Pod(_) => return Ok(n.to_string()),
        _ => None,
    }
    .unwrap_or_default();
    sh.cluster
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .find(|o| {
            let l = o.meta().labels.clone().unwrap_or_default();
            !selector.is_empty() && selector.iter().all(|(k, v)| l.get(k) == Some(v))
        })
        .map(|o| o.name().to_string())
        .ok_or_else(|| {
            Output::fail(format!(
                "error: cannot attach to {t} {n}: selector has no pods"
            ))
        })
}

/// Runs a command in the pod's first container (used by `kubectl run --rm -i`).
pub fn exec_in(sh: &mut Shell, ns: &str, pod: &str, cmd: &[String]) -> Output {
    exec_with(sh, ns, pod, None, cmd, false)
}

fn exec_with(
    sh: &mut Shell,
    ns: &str,
    pod_name: &str,
    container: Option<&str>,
    cmd: &[String],
    tty: bool,
) -> Output {
    let Some(Object::Pod(pod)) = sh.cluster.get(Kind::Pod, ns, pod_name).cloned() else {
        return Output::fail(errors::single(&ApiError::not_found(Kind::Pod, pod_name)));
    };
    let spec = pod.spec.clone().unwrap_or_default();
    let c = match container {
        Some(cn) => match spec.containers.iter().find(|c| c.name == cn) {
            Some(c) => c.clone(),
            None => {
                return Output::fail(format!(
                    "Error from server (BadRequest): container {cn} is not valid for pod {pod_name}"
                ))
            }
        },
        None => match spec.containers.first() {
            Some(c) => c.clone(),
            None => return Output::fail("error: pod has no containers"),
        },
    };
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    if phase != "Running" {
        return Output::fail(format!(
            "error: unable to upgrade connection: container not found (\"{}\")",
            c.name
        ));
    }
    let mut env = sh
        .cluster
        .runtime(ns, pod_name)
        .map(|r| r.env.vars())
        .unwrap_or_default();
    if tty {
        env.insert(2, ("TERM".into(), "xterm".into()));
    }
    let ctx = ExecContext {
        pod: &pod,
        env,
        userland: userland(&c),
        tty,
    };
    let r = ctx.run(sh, cmd);
    let mut out = r.0;
    if r.1 != 0 {
        out.err(format!("command terminated with exit code {}\n", r.1));
        out.code = r.1;
    }
    out
}

struct ExecContext<'a> {
    pod: &'a Pod,
    env: Vec<(String, String)>,
    userland: Userland,
    tty: bool,
}

fn not_found(program: &str) -> (Output, i32) {
    let mut o = Output::ok();
    o.err(format!(
        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
    ));
    (o, 126)
}

impl ExecContext<'_> {
    fn has(&self, program: &str) -> bool {
        let base = program.rsplit('/').next().unwrap_or(program);
        match self.userland {
            Userland::Scratch => false,
            Userland::Busybox { curl } => {
                matches!(
                    base,
                    "sh" | "env"
                        | "printenv"
                        | "hostname"
                        | "cat"
                        | "nslookup"
                        | "wget"
                        | "echo"
                        | "ls"
                        | "ping"
                ) || (curl && base == "curl")
            }
            Userland::NetTools => {
                matches!(
                    base,
                    "sh" | "bash"
                        | "env"
                        | "printenv"
                        | "hostname"
                        | "cat"
                        | "nslookup"
                        | "dig"
                        | "curl"
                        | "wget"
                        | "echo"
                        | "ls"
                        | "ping"
                )
            }
            Userland::Distro => matches!(
                base,
                "sh" | "bash" | "env" | "printenv" | "hostname" | "cat" | "echo" | "ls"
            ),
        }
    }

    fn run(&self, sh: &mut Shell, cmd: &[String]) -> (Output, i32) {
        let program = cmd[0].as_str();
        if !self.has(program) {
            return not_found(program);
        }
        let base = program.rsplit('/').next().unwrap_or(program);
        let args = &cmd[1..];
        let mut o = Output::ok();
        match base {
            "sh" | "bash" => {
                if args.first().map(String::as_str) == Some("-c") {
                    let Some(script) = args.get(1) else {
                        o.err(format!("{base}: -c requires an argument\n"));
                        return (o, 2);
                    };
                    let words = match super::split_words(script) {
                        Ok(w) => w,
                        Err(e) => {
                            o.err(format!("{base}: {e}\n"));
                            return (o, 2);
                        }
                    };
                    if words.is_empty() {
                        return (o, 0);
                    }
                    if !self.has(&words[0]) {
                        o.err(format!("{base}: {}: not found\n", words[0]));
                        return (o, 127);
                    }
                    return self.run(sh, &words);
                }
                o.err("svclab: interactive shells are not available: run one command, e.g. `kubectl exec POD -- printenv`\n".to_string());
                (o, 1)
            }
            "env" | "printenv" => {
                if base == "printenv" && !args.is_empty() {
                    let mut code = 0;
                    for a in args {
                        match self.env.iter().find(|(k, _)| k == a) {
                            Some((_, v)) => o.out(format!("{v}\n")),
                            None => code = 1,
                        }
                    }
                    return (o, code);
                }
                for (k, v) in &self.env {
                    o.out(format!("{k}={v}\n"));
                }
                (o, 0)
            }
            "hostname" => {
                o.out(format!("{}\n", crate::sim::kubelet::hostname(self.pod)));
                (o, 0)
            }
            "echo" => {
                o.out(format!("{}\n", args.join(" ")));
                (o, 0)
            }
            "cat" => {
                let mut code = 0;
                for f in args {
                    match f.as_str() {
                        "/etc/resolv.conf" => o.out(dns::resolv_conf(&sh.cluster, self.pod)),
                        "/etc/hosts" => o.out(hosts_file(self.pod)),
                        "/etc/hostname" => {
                            o.out(format!("{}\n", crate::sim::kubelet::hostname(self.pod)))
                        }
                        other => {
                            o.err(format!(
                                "cat: can't open '{other}': No such file or directory\n"
                            ));
                            code = 1;
                        }
                    }
                }
                (o, code)
            }
            "nslookup" => self.nslookup(sh, args),
            "curl" | "wget" => {
                let env = self.curl_env(sh);
                let line = sh.line.clone();
                let out = if base == "curl" {
                    super::curl::curl(sh, &env, args, &line)
                } else {
                    super::curl::wget(sh, &env, args, &line)
                };
                let code = out.code;
                (out, code)
            }
            other => {
                o.err(format!(
                    "svclab: {other} is not simulated in this container\n"
                ));
                (o, 127)
            }
        }
    }

    /// Where a curl in this container runs: the pod's address, its image's curl, its resolver.
    fn curl_env(&self, sh: &Shell) -> super::curl::Env {
        use crate::sim::net::parse_ip;
        let ns = self.pod.metadata.namespace.clone().unwrap_or_default();
        let name = self.pod.metadata.name.clone().unwrap_or_default();
        let ip = self
            .pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.as_deref())
            .and_then(parse_ip)
            .unwrap_or(0);
        let conf = crate::sim::dns::resolv_conf(&sh.cluster, self.pod);
        let nameserver = conf
            .lines()
            .find_map(|l| l.strip_prefix("nameserver "))
            .and_then(|s| parse_ip(s.trim()));
        let search: Vec<String> = conf
            .lines()
            .find_map(|l| l.strip_prefix("search "))
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default();
        let ndots = conf
            .lines()
            .find_map(|l| l.strip_prefix("options "))
            .and_then(|o| {
                o.split_whitespace()
                    .find_map(|x| x.strip_prefix("ndots:"))
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(1);
        let hostname = self
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.hostname.clone())
            .unwrap_or_else(|| name.clone());
        let resolver = match nameserver {
            Some(ns_ip) if ns_ip == sh.cluster.config.dns_ip => super::curl::Resolver::Cluster {
                nameserver: ns_ip,
                search,
                ndots,
                own: (hostname, ip),
            },
            _ => super::curl::Resolver::HostsOnly(vec![(hostname, ip)]),
        };
        super::curl::Env {
            client: crate::sim::proxy::walk::Client::Pod {
                namespace: ns,
                name,
            },
            flavor: super::curl::Flavor::V8_14,
            tty: self.tty,
            resolver,
        }
    }

    fn nslookup(&self, sh: &Shell, args: &[String]) -> (Output, i32) {
        let mut o = Output::ok();
        let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let Some(name) = positional.first() else {
            o.err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n");
            return (o, 1);
        };
        let c = &sh.cluster;
        let ns = self.pod.metadata.namespace.clone().unwrap_or_default();
        let server = positional
            .get(1)
            .map(|s| s.to_string())
            .unwrap_or_else(|| crate::sim::net::ip_to_string(c.config.dns_ip));
        let search = dns::search_domains(&ns, &c.config.domain);
        let mut code = 0;
        let mut note_no_internet = false;
        if self.userland == Userland::NetTools {
            // BIND 9: libc-like search with ndots:5, reports the name as typed on failure
            let cands = if positional.len() > 1 {
                vec![name.to_string()]
            } else {
                dns::candidates(name, &search, 5)
            };
            o.out(format!("Server:\t\t{server}\nAddress:\t{server}#53\n\n"));
            let mut answered = false;
            for cand in &cands {
                match dns::query(c, cand, QType::A) {
                    Answer::Addresses { ips, authoritative } if !ips.is_empty() => {
                        if !authoritative {
                            o.out("Non-authoritative answer:\n");
                        }
                        for ip in ips {
                            o.out(format!("Name:\t{cand}\nAddress: {ip}\n"));
                        }
                        answered = true;
                        break;
                    }
                    Answer::Cname { target } => {
                        o.out(format!("{cand}\tcanonical name = {target}.\n"));
                        note_no_internet = true;
                        answered = true;
                        break;
                    }
                    Answer::ServFail => {
                        note_no_internet = true;
                    }
                    _ => {}
                }
            }
            if answered {
                o.out("\n");
            } else {
                let why = if note_no_internet {
                    "SERVFAIL"
                } else {
                    "NXDOMAIN"
                };
                o.out(format!("** server can't find {name}: {why}\n\n"));
                code = 1;
            }
        } else {
            // busybox 1.36: search domains only for names without a dot, never the bare name
            let cands: Vec<String> = if positional.len() > 1 || name.contains('.') {
                vec![name.trim_end_matches('.').to_string()]
            } else {
                search.iter().map(|s| format!("{name}.{s}")).collect()
            };
            o.out(format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n"));
            for qtype in [QType::A, QType::Aaaa] {
                for cand in &cands {
                    let answer = if positional.len() > 1
                        && server != crate::sim::net::ip_to_string(c.config.dns_ip)
                    {
                        Answer::ServFail
                    } else {
                        dns::query(c, cand, qtype)
                    };
                    match answer {
                        Answer::Addresses { ips, authoritative } => {
                            if !authoritative {
                                o.out("Non-authoritative answer:\n");
                            }
                            for ip in ips {
                                o.out(format!("Name:\t{cand}\nAddress: {ip}\n"));
                            }
                        }
                        Answer::Cname { target } => {
                            o.out(format!("{cand}\tcanonical name = {target}\n"));
                            note_no_internet = true;
                        }
                        Answer::NxDomain => {
                            o.out(format!("** server can't find {cand}: NXDOMAIN\n"));
                            code = 1;
                        }
                        Answer::ServFail => {
                            o.out(format!("** server can't find {cand}: SERVFAIL\n"));
                            note_no_internet = true;
                            code = 1;
                        }
                    }
                    o.out("\n");
                }
            }
        }
        if note_no_internet {
            o.err("svclab: the lab has no internet: CoreDNS cannot forward names outside cluster.local upstream\n");
        }
        (o, code)
    }
}

/// The kubelet-managed /etc/hosts.
fn hosts_file(pod: &Pod) -> String {
    let ip = pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    let host = crate::sim::kubelet::hostname(pod);
    let mut s = String::from("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    let spec = pod.spec.clone().unwrap_or_default();
    match spec.subdomain.filter(|s| !s.is_empty()) {
        Some(sub) => {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            s.push_str(&format!(
                "{ip}\t{host}.{sub}.{ns}.svc.cluster.local\t{host}\n"
            ));
        }
        None => s.push_str(&format!("{ip}\t{host}\n")),
    }
    s
}
