//! `kubectl exec POD -- CMD`: the programs inside a container. What exists depends on the image
//! (echo servers are built FROM scratch and have no shell at all; busybox has its applets).

use super::flags::{flag, val};
use super::kubectl::{namespace, parse};
use super::port_forward::{pod_for, PodFor};
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
    /// busybox applets (busybox, alpine-based curl images). `old_nslookup`: busybox 1.28 and
    /// older, whose small nslookup resolves through libc (before the BIG one of 1.29).
    Busybox { curl: bool, old_nslookup: bool },
    /// A distribution with BIND's nslookup and curl (netshoot, dnsutils).
    NetTools,
    /// A general distribution (debian/ubuntu based): coreutils, no nslookup; `curl` in the
    /// images built on buildpack-deps (node, the tutorial's kubernetes-bootcamp).
    Distro { curl: bool },
}

fn userland(c: &Container) -> Userland {
    let (repo, tag) = crate::sim::programs::repo_and_tag(c.image.as_deref().unwrap_or(""));
    let repo = repo.as_str();
    match repo {
        "kicbase/echo-server" | "jmalloc/echo-server" | "pbitty/hello-from" => Userland::Scratch,
        "busybox" | "radial/busyboxplus" => Userland::Busybox {
            curl: repo == "radial/busyboxplus",
            old_nslookup: repo == "radial/busyboxplus" || busybox_before_1_29(&tag),
        },
        "curlimages/curl" | "alpine" => Userland::Busybox {
            curl: repo == "curlimages/curl",
            old_nslookup: false,
        },
        "nicolaka/netshoot"
        | "registry.k8s.io/e2e-test-images/jessie-dnsutils"
        | "tutum/dnsutils" => Userland::NetTools,
        "gcr.io/google-samples/kubernetes-bootcamp" | "jocatalin/kubernetes-bootcamp" | "node" => {
            Userland::Distro { curl: true }
        }
        _ => Userland::Distro { curl: false },
    }
}

/// Whether a busybox image's tag (`1.28`, `1.28.4-glibc`, `1.27-uclibc`) is older than 1.29.
fn busybox_before_1_29(tag: &str) -> bool {
    // (`latest` has no numbers: a new one)
    let mut nums = tag
        .split(|c: char| !c.is_ascii_digit())
        .map(|n| n.parse::<u32>().ok());
    match (nums.next().flatten(), nums.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) < (1, 29),
        _ => false,
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
            val("pod-running-timeout", None),
        ],
        "kubectl logs",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let Some(target) = p.args.first() else {
        return Output::fail(errors::usage(
            "kubectl logs",
            "expected POD or TYPE/NAME is a required argument for the logs command",
        ));
    };
    // a TYPE/NAME waits for a pod up to --pod-running-timeout (20 s for logs)
    let mut found = Output::ok();
    let pod_name = match pod_for(sh, &p, &ns, target, PodFor::Logs, &mut found) {
        Ok(name) => name,
        Err(o) => return o,
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
    let mut out = found;
    match crate::sim::programs::Program::for_container(&c) {
        crate::sim::programs::Program::EchoServer { port } => {
            out.out(format!("Echo server listening on port {port}.\n"))
        }
        crate::sim::programs::Program::Bootcamp { .. } => {
            // console.log("Kubernetes Bootcamp App Started At:", startTime, "| Running On: ", host, "\n")
            let started = started_at(pod, "%Y-%m-%dT%H:%M:%S%.3fZ");
            let host = pod
                .spec
                .as_ref()
                .and_then(|s| s.hostname.clone())
                .unwrap_or_else(|| pod_name.clone());
            out.out(format!(
                "Kubernetes Bootcamp App Started At: {started} | Running On:  {host} \n\n"
            ))
        }
        crate::sim::programs::Program::HelloApp { port, .. } => {
            // Go's log package: date and time, then the message
            let started = started_at(pod, "%Y/%m/%d %H:%M:%S");
            // (it logs to stderr; kubectl logs prints both streams on its stdout)
            out.out(format!("{started} Server listening on port {port}\n"))
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
            val("pod-running-timeout", None),
        ],
        "kubectl exec",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
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
    // deploy/x, svc/x: kubectl picks the most active pod of the object's selector
    let mut out = Output::ok();
    let pod_name = match pod_for(sh, &p, &ns, target, PodFor::Exec, &mut out) {
        Ok(name) => name,
        Err(o) => return o,
    };
    if p.bool("tty") && !p.bool("stdin") {
        out.err("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    }
    let r = exec_with(sh, &ns, &pod_name, p.get("container"), &cmd, p.bool("tty"));
    out.append(r);
    out
}

/// When the pod's program started (the time its log lines carry), in a strftime format.
fn started_at(pod: &Pod, format: &str) -> String {
    pod.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .map(|t| t.0.format(format).to_string())
        .unwrap_or_default()
}

/// Runs a command as the process of the pod's first container (`kubectl run -i`, attached to
/// it): what it printed, and its exit status (kubectl run reports a failure its own way).
pub fn run_attached(sh: &mut Shell, ns: &str, pod: &str, cmd: &[String], tty: bool) -> Output {
    let mut out = exec_with(sh, ns, pod, None, cmd, tty);
    out.chunks
        .retain(|(_, t)| !t.starts_with("command terminated with exit code "));
    out
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

/// The applets of the busybox images (busybox 1.36's default configuration, and Alpine's): a
/// program among them that the lab does not simulate says so, instead of "not found".
const BUSYBOX_APPLETS: &str =
    "[ [[ addgroup adduser ar arch arp arping ash awk base32 base64 basename bc blkid brctl \
     bunzip2 bzcat bzip2 cal cat chgrp chmod chown chroot cksum clear cmp comm cp cpio crond \
     crontab cut date dc dd delgroup deluser df diff dirname dmesg dnsdomainname dos2unix du \
     echo ed egrep env expand expr factor false fgrep find flock fold free fsync ftpget \
     ftpput fuser getopt grep groups gunzip gzip halt hd head hexdump hostid hostname httpd \
     hush id ifconfig ifdown ifup inetd init install ionice iostat ip ipaddr ipcalc ipcrm \
     ipcs iplink ipneigh iproute iprule iptunnel kill killall killall5 less link ln logger \
     login logname ls lsof lsusb lzcat lzma lzop md5sum mesg mkdir mkfifo mknod mkpasswd \
     mktemp more mount mountpoint mpstat mv nameif nc netstat nice nl nohup nproc nsenter \
     nslookup ntpd od passwd paste patch pgrep pidof ping ping6 pipe_progress pkill pmap \
     poweroff printenv printf ps pscan pstree pwd pwdx rdate readlink realpath reboot renice \
     reset resize rev rm rmdir route run-parts script sed seq setsid sh sha1sum sha256sum \
     sha3sum sha512sum shred shuf sleep sort split ssl_client start-stop-daemon stat strings \
     stty su sum sync sysctl syslogd tac tail tar taskset tc tee telnet test tftp time \
     timeout top touch tr traceroute traceroute6 tree true truncate ts tsort tty udhcpc \
     umount uname unexpand uniq unix2dos unlink unlzma unshare unxz unzip uptime users usleep \
     uudecode uuencode vi w watch wc wget which who whoami whois xargs xxd xz xzcat yes zcat";

/// What a Debian-based image has: bash, coreutils, and the base system's tools.
const DISTRO_TOOLS: &str =
    "[ awk base64 basename bash cat chgrp chmod chown cksum cmp comm cp cut dash date dd df \
     diff dirname du echo egrep env expand expr factor false fgrep find fold free grep groups \
     gunzip gzip head hostname id install join kill less ln logname ls md5sum mkdir mkfifo \
     mknod mktemp more mount mv nice nl nohup nproc od paste printenv printf ps pwd readlink \
     realpath rm rmdir sed seq sh sha1sum sha256sum sha512sum shred shuf sleep sort split \
     stat stty su sum sync tac tail tar tee test timeout top touch tr true truncate tsort tty \
     umount uname unexpand uniq unlink uptime users wc which who whoami xargs yes zcat";

/// The network tools of netshoot and the dnsutils images.
const NET_TOOLS: &str =
    "conntrack curl dig ethtool host iperf iperf3 ipset iptables ipvsadm jq mtr ncat nmap \
     nslookup openssl socat ss strace tcpdump tshark wget";

/// Whether `name` is one of the space-separated programs of `list`.
fn listed(list: &str, name: &str) -> bool {
    list.split_ascii_whitespace().any(|p| p == name)
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
            Userland::Busybox { curl, .. } => {
                listed(BUSYBOX_APPLETS, base) || (curl && base == "curl")
            }
            // netshoot is Alpine (busybox) with the network tools; dnsutils is Debian with BIND's
            Userland::NetTools => {
                listed(BUSYBOX_APPLETS, base)
                    || listed(DISTRO_TOOLS, base)
                    || listed(NET_TOOLS, base)
            }
            Userland::Distro { curl } => listed(DISTRO_TOOLS, base) || (curl && base == "curl"),
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
                    // the container's shell expands its own variables (the pod's env:
                    // HOSTNAME, the Service variables…) and `$(…)` by running it there
                    // (bounded as the lab's own `$(…)`: any text typed is safe to run)
                    if sh.nesting >= 8 {
                        o.err(format!("{base}: command substitutions nested too deeply\n"));
                        return (o, 2);
                    }
                    let env = self.env.clone();
                    let mut inner_err = String::new();
                    let expanded = super::words::substitute(
                        script,
                        true,
                        &|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
                        // `$(…)` is a script of its own, run by the same shell
                        &mut |inner| {
                            sh.nesting += 1;
                            let script = [base.to_string(), "-c".into(), inner.to_string()];
                            let (printed, _) = self.run(sh, &script);
                            sh.nesting -= 1;
                            inner_err.push_str(&printed.stderr());
                            printed.stdout().trim_end_matches('\n').to_string()
                        },
                    );
                    o.err(inner_err);
                    let expanded = match expanded {
                        Ok(e) => e,
                        Err(e) => {
                            o.err(format!("{base}: {e}\n"));
                            return (o, 2);
                        }
                    };
                    let words = match super::split_words(&expanded) {
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
                    // what the substitutions wrote to stderr comes first
                    let (mut ran, code) = self.run(sh, &words);
                    o.chunks.append(&mut ran.chunks);
                    return (o, code);
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
                // the names come from the kubelet's /etc/hosts: the pod's own line is its IP,
                // then (with a subdomain) its FQDN first, the canonical name
                let host = crate::sim::kubelet::hostname(self.pod);
                let ip = self
                    .pod
                    .status
                    .as_ref()
                    .and_then(|s| s.pod_ip.clone())
                    .unwrap_or_default();
                let fqdn = subdomain_fqdn(self.pod, &sh.cluster.config.domain)
                    .unwrap_or_else(|| host.clone());
                let busybox = matches!(self.userland, Userland::Busybox { .. });
                match args.first().map(String::as_str) {
                    None | Some("-s") | Some("--short") => o.out(format!("{host}\n")),
                    Some("-i") | Some("--ip-address") => o.out(format!("{ip}\n")),
                    Some("-I") | Some("--all-ip-addresses") if !busybox => {
                        o.out(format!("{ip} \n"))
                    }
                    Some("-f") | Some("--fqdn") | Some("--long") => o.out(format!("{fqdn}\n")),
                    Some("-d") | Some("--domain") => match fqdn.split_once('.') {
                        Some((_, domain)) => o.out(format!("{domain}\n")),
                        None if !busybox => o.out("\n"),
                        None => {}
                    },
                    Some(opt) if opt.starts_with('-') => {
                        o.err(format!(
                            "hostname: invalid option -- '{}'\n",
                            opt.trim_start_matches('-')
                        ));
                        return (o, 1);
                    }
                    Some(_) => {
                        // a container may not rename its UTS namespace without CAP_SYS_ADMIN
                        let msg = if busybox {
                            "hostname: sethostname: Operation not permitted\n"
                        } else {
                            "hostname: you must be root to change the host name\n"
                        };
                        o.err(msg);
                        return (o, 1);
                    }
                }
                (o, 0)
            }
            "echo" => {
                o.out(format!("{}\n", args.join(" ")));
                (o, 0)
            }
            "printf" => {
                let out = super::printf::run(args);
                let code = out.code;
                (out, code)
            }
            "cat" => {
                let mut code = 0;
                for f in args {
                    match f.as_str() {
                        "/etc/resolv.conf" => o.out(dns::resolv_conf(&sh.cluster, self.pod)),
                        "/etc/hosts" => o.out(hosts_file(self.pod, &sh.cluster.config.domain)),
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
    /// The pod's /etc/resolv.conf as a resolver reads it: the first nameserver, the search list
    /// and ndots (1 when unset, the libc default).
    fn resolver_settings(&self, sh: &Shell) -> (Option<u32>, Vec<String>, usize) {
        let conf = crate::sim::dns::resolv_conf(&sh.cluster, self.pod);
        let nameserver = conf
            .lines()
            .find_map(|l| l.strip_prefix("nameserver "))
            .and_then(|s| crate::sim::net::parse_ip(s.trim()));
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
        (nameserver, search, ndots)
    }

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
        let (nameserver, search, ndots) = self.resolver_settings(sh);
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
        match self.userland {
            Userland::NetTools => self.nslookup_bind(sh, args),
            Userland::Busybox {
                old_nslookup: true, ..
            } => self.nslookup_small(sh, args),
            _ => self.nslookup_busybox(sh, args),
        }
    }

    /// busybox 1.29+ (`networking/nslookup.c`, the BIG one): its own DNS queries, sent all at
    /// once and printed as the replies come (here, in query order).
    fn nslookup_busybox(&self, sh: &Shell, args: &[String]) -> (Output, i32) {
        // the query types, in the order of busybox's table (queries go out in this order)
        const TYPES: [(&str, QType); 10] = [
            ("SOA", QType::Other),
            ("NS", QType::Other),
            ("A", QType::A),
            ("AAAA", QType::Aaaa),
            ("CNAME", QType::Cname),
            ("MX", QType::Other),
            ("TXT", QType::Other),
            ("PTR", QType::Ptr),
            ("SRV", QType::Srv),
            ("ANY", QType::Other),
        ];
        let mut o = Output::ok();
        let usage = |mut o: Output| {
            o.err(format!("{}\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n", super::curl::BUSYBOX_BANNER));
            (o, 1)
        };
        // options come first, each `-name` or `-name=value`
        let mut wanted = [false; 10];
        let mut i = 0;
        while let Some(a) = args.get(i).filter(|a| a.starts_with('-')) {
            let (opt, val) = a[1..].split_once('=').unwrap_or((&a[1..], ""));
            match opt {
                "type" | "querytype" => {
                    match TYPES.iter().position(|(n, _)| n.eq_ignore_ascii_case(val)) {
                        Some(t) => wanted[t] = true,
                        None => {
                            o.err(format!("nslookup: invalid query type \"{val}\"\n"));
                            return (o, 1);
                        }
                    }
                }
                "port" | "retry" | "debug" | "t" | "timeout" => {}
                _ => return usage(o),
            }
            i += 1;
        }
        let positional = &args[i..];
        let (Some(name), true) = (positional.first(), positional.len() <= 2) else {
            return usage(o);
        };
        let c = &sh.cluster;
        let cluster_dns = crate::sim::net::ip_to_string(c.config.dns_ip);
        let server = positional
            .get(1)
            .cloned()
            .unwrap_or_else(|| cluster_dns.clone());
        // the search list is read only with resolv.conf, and only for names without a dot
        let (_, search, _) = self.resolver_settings(sh);
        let with_search = |qtype: QType, name: &str| -> Vec<(QType, String)> {
            if qtype == QType::Ptr || positional.len() > 1 || name.contains('.') {
                vec![(qtype, name.trim_end_matches('.').to_string())]
            } else {
                search
                    .iter()
                    .map(|s| (qtype, format!("{name}.{s}")))
                    .collect()
            }
        };
        let mut queries: Vec<(QType, String)> = Vec::new();
        if wanted.iter().any(|w| *w) {
            for (t, (_, qtype)) in TYPES.iter().enumerate() {
                if wanted[t] {
                    queries.extend(with_search(*qtype, name));
                }
            }
        } else if let Some(ip) = crate::sim::net::parse_ip(name) {
            // an address: its PTR record
            queries.push((QType::Ptr, dns::reverse_name(ip)));
        } else {
            queries.extend(with_search(QType::A, name));
            queries.extend(with_search(QType::Aaaa, name));
        }
        let mut code = 0;
        let mut note_no_internet = false;
        o.out(format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n"));
        for (qtype, cand) in &queries {
            let answer = if server != cluster_dns {
                Answer::ServFail
            } else {
                dns::query(c, cand, *qtype)
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
                    note_no_internet |= *qtype != QType::Cname;
                }
                Answer::Srv { records } => {
                    for (prio, weight, port, target) in records {
                        o.out(format!(
                            "{cand}\tservice = {prio} {weight} {port} {target}\n"
                        ));
                    }
                }
                Answer::Ptr { names } => {
                    for n in names {
                        o.out(format!("{cand}\tname = {n}\n"));
                    }
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
        if note_no_internet {
            o.err("svclab: the lab has no internet: CoreDNS cannot forward names outside cluster.local upstream\n");
        }
        (o, code)
    }

    /// busybox 1.28 and older (the small nslookup): libc's `getaddrinfo` with the search list
    /// and ndots, `print_host` for the server and for the name, each address with its reverse
    /// name when it has one.
    fn nslookup_small(&self, sh: &Shell, args: &[String]) -> (Output, i32) {
        let mut o = Output::ok();
        if args.is_empty() || args[0].starts_with('-') || args.len() > 2 {
            o.err("BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n");
            return (o, 1);
        }
        let c = &sh.cluster;
        let cluster_dns = crate::sim::net::ip_to_string(c.config.dns_ip);
        let server = args.get(1).cloned().unwrap_or_else(|| cluster_dns.clone());
        let reachable = server == cluster_dns;
        let reverse = |ip: &str| -> Option<String> {
            let v = crate::sim::net::parse_ip(ip)?;
            match dns::query(c, &dns::reverse_name(v), QType::Ptr) {
                Answer::Ptr { names } if reachable => names.into_iter().next(),
                _ => None,
            }
        };
        let print_host = |o: &mut Output, header: &str, host: &str, ips: &[String]| {
            o.out(format!("{header:<10} {host}\n"));
            for (n, ip) in ips.iter().enumerate() {
                match reverse(ip) {
                    Some(r) => o.out(format!("Address {}: {ip} {r}\n", n + 1)),
                    None => o.out(format!("Address {}: {ip}\n", n + 1)),
                }
            }
        };
        print_host(&mut o, "Server:", &server, std::slice::from_ref(&server));
        o.out("\n");
        let name = &args[0];
        let ips: Vec<String> = if crate::sim::net::parse_ip(name).is_some() {
            vec![name.clone()]
        } else if !reachable {
            Vec::new()
        } else {
            let (_, search, ndots) = self.resolver_settings(sh);
            dns::candidates(name, &search, ndots)
                .iter()
                .find_map(|cand| match dns::query(c, cand, QType::A) {
                    Answer::Addresses { ips, .. } if !ips.is_empty() => Some(ips),
                    _ => None,
                })
                .unwrap_or_default()
        };
        if ips.is_empty() {
            o.err(format!("nslookup: can't resolve '{name}'\n"));
            return (o, 1);
        }
        print_host(&mut o, "Name:", name, &ips);
        (o, 0)
    }

    /// BIND 9's nslookup: libc-like search with ndots:5, the name as typed on failure, and an
    /// address looked up by its PTR record.
    fn nslookup_bind(&self, sh: &Shell, args: &[String]) -> (Output, i32) {
        let mut o = Output::ok();
        let mut qtype = None;
        let mut positional: Vec<&String> = Vec::new();
        for a in args {
            match a.strip_prefix('-') {
                Some(opt) => {
                    if let Some((k, v)) = opt.split_once('=') {
                        if matches!(k, "type" | "query" | "querytype" | "q" | "t" | "ty") {
                            qtype = Some(match v.to_ascii_uppercase().as_str() {
                                "A" => QType::A,
                                "AAAA" => QType::Aaaa,
                                "SRV" => QType::Srv,
                                "PTR" => QType::Ptr,
                                "CNAME" => QType::Cname,
                                _ => QType::Other,
                            });
                        }
                    }
                }
                None => positional.push(a),
            }
        }
        let Some(name) = positional.first() else {
            o.err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n");
            return (o, 1);
        };
        let c = &sh.cluster;
        let server = positional
            .get(1)
            .map(|s| s.to_string())
            .unwrap_or_else(|| crate::sim::net::ip_to_string(c.config.dns_ip));
        // BIND reads the search list and ndots from resolv.conf too
        let (_, search, ndots) = self.resolver_settings(sh);
        o.out(format!("Server:\t\t{server}\nAddress:\t{server}#53\n\n"));
        // an address without a type: its PTR record, no search list
        let ptr_of = crate::sim::net::parse_ip(name).filter(|_| qtype.is_none());
        let qtype = if ptr_of.is_some() {
            QType::Ptr
        } else {
            qtype.unwrap_or(QType::A)
        };
        let cands = match ptr_of {
            Some(ip) => vec![dns::reverse_name(ip)],
            None if positional.len() > 1 => vec![name.to_string()],
            None => dns::candidates(name, &search, ndots),
        };
        let mut note_no_internet = false;
        let mut answered = false;
        for cand in &cands {
            match dns::query(c, cand, qtype) {
                Answer::Addresses { ips, authoritative } if !ips.is_empty() => {
                    if !authoritative {
                        o.out("Non-authoritative answer:\n");
                    }
                    for ip in ips {
                        o.out(format!("Name:\t{cand}\nAddress: {ip}\n"));
                    }
                    answered = true;
                }
                Answer::Cname { target } => {
                    o.out(format!("{cand}\tcanonical name = {target}.\n"));
                    note_no_internet = qtype != QType::Cname;
                    answered = true;
                }
                Answer::Srv { records } if !records.is_empty() => {
                    for (prio, weight, port, target) in records {
                        o.out(format!(
                            "{cand}\tservice = {prio} {weight} {port} {target}.\n"
                        ));
                    }
                    answered = true;
                }
                Answer::Ptr { names } => {
                    for n in names {
                        o.out(format!("{cand}\tname = {n}.\n"));
                    }
                    answered = true;
                }
                Answer::ServFail => note_no_internet = true,
                _ => {}
            }
            if answered {
                break;
            }
        }
        let code = if answered {
            o.out("\n");
            0
        } else {
            let why = if note_no_internet {
                "SERVFAIL"
            } else {
                "NXDOMAIN"
            };
            let shown = match ptr_of {
                Some(ip) => dns::reverse_name(ip),
                None => name.to_string(),
            };
            o.out(format!("** server can't find {shown}: {why}\n\n"));
            1
        };
        if note_no_internet {
            o.err("svclab: the lab has no internet: CoreDNS cannot forward names outside cluster.local upstream\n");
        }
        (o, code)
    }
}

/// The pod's FQDN as the kubelet writes it into /etc/hosts when it has a subdomain
/// (`<hostname>.<subdomain>.<namespace>.svc.<domain>`).
fn subdomain_fqdn(pod: &Pod, domain: &str) -> Option<String> {
    let sub = pod
        .spec
        .as_ref()
        .and_then(|s| s.subdomain.as_deref())
        .filter(|s| !s.is_empty())?;
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let host = crate::sim::kubelet::hostname(pod);
    Some(format!("{host}.{sub}.{ns}.svc.{domain}"))
}

/// The kubelet-managed /etc/hosts.
fn hosts_file(pod: &Pod, domain: &str) -> String {
    let ip = pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    let host = crate::sim::kubelet::hostname(pod);
    let mut s = String::from("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    match subdomain_fqdn(pod, domain) {
        Some(fqdn) => s.push_str(&format!("{ip}\t{fqdn}\t{host}\n")),
        None => s.push_str(&format!("{ip}\t{host}\n")),
    }
    s
}
