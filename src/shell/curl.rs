//! `curl` and busybox `wget` as they behave where they run (spec §14.5): in a pod (the image's
//! curl), on a node (`minikube ssh`), or on the trainer's machine outside the cluster. Every
//! connection walks kube-proxy's rules (`sim::proxy::walk`) and leaves a trace for
//! `svclab trace`.

use super::{Output, Shell};
use crate::sim::dns::{self, Answer, QType};
use crate::sim::http::{self, Request, Response};
use crate::sim::net::{ip_to_string, parse_ip};
use crate::sim::proxy::model::Proto;
use crate::sim::proxy::walk::{Client, Outcome, Walk};

/// Which curl build runs, which decides its wording (spec §14.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Ubuntu 22.04 on the minikube node
    V7_81,
    /// Ubuntu 24.04 on the trainer's machine
    V8_5,
    /// curlimages/curl, netshoot
    V8_14,
}

impl Flavor {
    fn version(self) -> &'static str {
        match self {
            Flavor::V7_81 => "7.81.0",
            Flavor::V8_5 => "8.5.0",
            Flavor::V8_14 => "8.14.1",
        }
    }
    /// `-v`'s last line for a connection that failed.
    fn closing(self, n: usize) -> String {
        match self {
            Flavor::V7_81 => format!("* Closing connection {n}\n"),
            Flavor::V8_5 => "* Closing connection\n".to_string(),
            Flavor::V8_14 => format!("* closing connection #{n}\n"),
        }
    }

    fn cannot_connect(self, os: &str) -> String {
        match self {
            Flavor::V7_81 => os.to_string(),
            Flavor::V8_5 => "Couldn't connect to server".into(),
            Flavor::V8_14 => "Could not connect to server".into(),
        }
    }
}

/// How names are resolved where curl runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolver {
    /// a pod with cluster DNS: nameserver, search list and ndots from its resolv.conf
    Cluster {
        nameserver: u32,
        search: Vec<String>,
        ndots: usize,
        /// the pod's own /etc/hosts entry
        own: (String, u32),
    },
    /// only /etc/hosts (a node, the trainer's machine, a pod without cluster DNS)
    HostsOnly(Vec<(String, u32)>),
}

pub struct Env {
    pub client: Client,
    pub flavor: Flavor,
    pub tty: bool,
    pub resolver: Resolver,
}

/// One request's record, for `svclab trace` and the lab's animation.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub id: u64,
    pub command: String,
    pub url: String,
    /// DNS steps: (name asked, what came back)
    pub dns: Vec<(String, String)>,
    /// the walk of the DNS query to kube-dns, when one was sent
    pub dns_walk: Option<Walk>,
    pub walk: Option<Walk>,
    /// served | refused | dropped | failed
    pub state: String,
    pub summary: String,
}

impl Trace {
    /// `namespace/name` of the pod that served the request, if a pod did.
    pub fn served_by(&self) -> Option<String> {
        match self.walk.as_ref().map(|w| &w.outcome) {
            Some(Outcome::Served {
                pod: Some((ns, n)), ..
            }) => Some(format!("{ns}/{n}")),
            _ => None,
        }
    }

    fn new(command: &str, url: &str) -> Trace {
        Trace {
            id: 0,
            command: command.to_string(),
            url: url.to_string(),
            dns: Vec::new(),
            dns_walk: None,
            walk: None,
            state: String::new(),
            summary: String::new(),
        }
    }
}

struct Url {
    scheme: String,
    host: String,
    port: u16,
    path: String,
    /// the Host header (port omitted when default)
    host_header: String,
}

fn parse_url(s: &str) -> Result<Url, String> {
    let (scheme, rest) = match s.split_once("://") {
        Some((sc, r)) => (sc.to_ascii_lowercase(), r),
        None => ("http".to_string(), s),
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!("Protocol \"{scheme}\" not supported"));
    }
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let default = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            p.parse::<u16>().map_err(|_| {
                "URL rejected: Port number was not a decimal number between 0 and 65535".to_string()
            })?,
        ),
        None => (authority.to_string(), default),
    };
    if host.is_empty() {
        return Err("URL rejected: No host part in the URL".into());
    }
    let host_header = if port == default {
        host.clone()
    } else {
        format!("{host}:{port}")
    };
    Ok(Url {
        scheme,
        host,
        port,
        path,
        host_header,
    })
}

#[derive(Default)]
struct Opts {
    silent: bool,
    show_error: bool,
    verbose: bool,
    include: bool,
    head: bool,
    fail: bool,
    insecure: bool,
    headers: Vec<(String, String)>,
    max_time: Option<f64>,
    connect_timeout: Option<f64>,
    /// `-o FILE`: the body goes to a file (in the lab: nowhere), not to stdout
    output: Option<String>,
    /// `-w FORMAT`: printed after each transfer, `%{http_code}` and friends substituted
    write_out: Option<String>,
    /// `-X METHOD`
    method: Option<String>,
    urls: Vec<String>,
}

/// Options that take a value, as (short, long).
const WITH_VALUE: &[(char, &str)] = &[
    ('H', "--header"),
    ('m', "--max-time"),
    ('o', "--output"),
    ('w', "--write-out"),
    ('X', "--request"),
];

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let secs = |v: &str, name: &str| -> Result<f64, String> {
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| format!("option {name}: expected a proper numerical parameter"))
    };
    // flags and their values, with combined short flags (-sS, -sSo FILE, -m5) taken apart
    let mut flags: Vec<(String, Option<String>)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string())),
                None => (a.to_string(), None),
            };
            let needs = WITH_VALUE.iter().any(|(_, l)| *l == name) || name == "--connect-timeout";
            let value = match (needs, inline) {
                (true, Some(v)) => Some(v),
                (true, None) => {
                    let v = args.get(i).cloned();
                    i += 1;
                    Some(v.ok_or_else(|| format!("option {name}: requires parameter"))?)
                }
                (false, _) => None,
            };
            flags.push((name, value));
        } else if a.starts_with('-') && a.len() > 1 {
            let chars: Vec<char> = a[1..].chars().collect();
            for (k, ch) in chars.iter().enumerate() {
                if WITH_VALUE.iter().any(|(c, _)| c == ch) {
                    let tail: String = chars[k + 1..].iter().collect();
                    let value = if tail.is_empty() {
                        let v = args.get(i).cloned();
                        i += 1;
                        v.ok_or_else(|| format!("option -{ch}: requires parameter"))?
                    } else {
                        tail
                    };
                    flags.push((format!("-{ch}"), Some(value)));
                    break;
                }
                flags.push((format!("-{ch}"), None));
            }
        } else {
            o.urls.push(a.to_string());
        }
    }
    for (name, value) in flags {
        let v = value.unwrap_or_default();
        match name.as_str() {
            "-s" | "--silent" => o.silent = true,
            "-S" | "--show-error" => o.show_error = true,
            "-v" | "--verbose" => o.verbose = true,
            "-i" | "--include" => o.include = true,
            "-I" | "--head" => o.head = true,
            "-f" | "--fail" => o.fail = true,
            "-k" | "--insecure" => o.insecure = true,
            "-L" | "--location" | "-4" | "--ipv4" => {}
            "-H" | "--header" => {
                if let Some((n, val)) = v.split_once(':') {
                    o.headers
                        .push((n.trim().to_string(), val.trim().to_string()));
                }
            }
            "-m" | "--max-time" => o.max_time = Some(secs(&v, &name)?),
            "--connect-timeout" => o.connect_timeout = Some(secs(&v, &name)?),
            "-o" | "--output" => o.output = Some(v),
            "-w" | "--write-out" => o.write_out = Some(v),
            "-X" | "--request" => o.method = Some(v),
            other => return Err(format!("option {other}: is unknown")),
        }
    }
    Ok(o)
}

/// `-w`'s format with the transfer's values: `%{http_code}`, `%{remote_ip}`, `%{remote_port}`,
/// `%{size_download}`, `%{url_effective}`, `%{time_total}`, and `\n`, `\t`.
fn write_out(format: &str, code: u16, ip: u32, port: u16, size: usize, url: &str) -> String {
    format
        .replace("%{http_code}", &format!("{code:03}"))
        .replace("%{response_code}", &format!("{code:03}"))
        .replace("%{remote_ip}", &ip_to_string(ip))
        .replace("%{remote_port}", &port.to_string())
        .replace("%{size_download}", &size.to_string())
        .replace("%{url_effective}", url)
        .replace("%{time_total}", "0.001000")
        .replace("\\n", "\n")
        .replace("\\t", "\t")
}

/// What resolving a name did: the DNS steps (name asked, answer), the query's own walk to
/// kube-dns, and the address or why there is none.
type Resolved = (Vec<(String, String)>, Option<Walk>, Result<u32, String>);

/// Resolves `host` where curl runs.
fn resolve(sh: &mut Shell, env: &Env, host: &str) -> Resolved {
    if let Some(ip) = parse_ip(host) {
        return (Vec::new(), None, Ok(ip));
    }
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    if lower == "localhost" {
        return (Vec::new(), None, Ok(0x7f00_0001));
    }
    match &env.resolver {
        Resolver::HostsOnly(hosts) => match hosts.iter().find(|(n, _)| *n == lower) {
            Some((_, ip)) => (vec![(lower.clone(), format!("{} (/etc/hosts)", ip_to_string(*ip)))], None, Ok(*ip)),
            None => (
                vec![(lower.clone(), "not found: this resolver does not know the cluster's names (only pods with cluster DNS do)".into())],
                None,
                Err("not found".into()),
            ),
        },
        Resolver::Cluster {
            nameserver,
            search,
            ndots,
            own,
        } => {
            if own.0 == lower {
                return (vec![(lower, format!("{} (/etc/hosts)", ip_to_string(own.1)))], None, Ok(own.1));
            }
            // the query itself travels to kube-dns through the node's rules
            let dns_walk = sh.cluster.walk_proto(&env.client, Proto::Udp, *nameserver, 53);
            let reached = matches!(dns_walk.outcome, Outcome::Served { .. });
            let mut steps = Vec::new();
            if !reached {
                steps.push((lower.clone(), "no answer from the nameserver".into()));
                return (steps, Some(dns_walk), Err("timeout".into()));
            }
            for name in dns::candidates(&lower, search, *ndots) {
                match dns::query(&sh.cluster, &name, QType::A) {
                    Answer::Addresses { ips, .. } if !ips.is_empty() => {
                        steps.push((name.clone(), ips.join(", ")));
                        let ip = ips.first().and_then(|i| parse_ip(i)).unwrap_or(0);
                        return (steps, Some(dns_walk), Ok(ip));
                    }
                    Answer::Addresses { .. } | Answer::Srv { .. } | Answer::Ptr { .. } => {
                        steps.push((name, "no A record".into()))
                    }
                    Answer::NxDomain => steps.push((name, "NXDOMAIN".into())),
                    Answer::Cname { target } => {
                        steps.push((name, format!("CNAME {target}")));
                        return (steps, Some(dns_walk), Err(format!("cname {target}")));
                    }
                    Answer::ServFail => steps.push((
                        name,
                        "SERVFAIL (CoreDNS forwards it upstream; the lab has no internet)".into(),
                    )),
                }
            }
            (steps, Some(dns_walk), Err("nxdomain".into()))
        }
    }
}

/// The first line of busybox 1.36's usage texts.
pub const BUSYBOX_BANNER: &str = "BusyBox v1.36.1 (2023-05-18 00:00:00 UTC) multi-call binary.";

fn progress_meter(size: usize) -> String {
    let speed = {
        let bps = size as u64 * 1000;
        if bps < 100_000 {
            format!("{bps:>5}")
        } else if bps < 10_000 * 1024 {
            format!("{:>4}k", bps / 1024)
        } else {
            format!("{:>4}M", bps / 1024 / 1024)
        }
    };
    let head = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0";
    if size == 0 {
        // nothing arrived: the meter stops at its first line
        return format!("{head}\n");
    }
    format!(
        "{head}\r100 {size:>5}  100 {size:>5}    0     0  {speed}      0 --:--:-- --:--:-- --:--:-- {speed}\n"
    )
}

/// What curl prints when a connection failed, after its `-v` lines: the meter's first line
/// (without a tty), the error line (unless silenced), `-w`'s `000`; and its exit status.
fn failed(
    o: &mut Output,
    opts: &Opts,
    meter: bool,
    show_err: bool,
    line: &str,
    code: i32,
    url: &str,
) {
    if meter {
        o.err(progress_meter(0));
    }
    if show_err {
        o.err(format!("{line}\n"));
    }
    o.code = code;
    if let Some(f) = &opts.write_out {
        o.out(write_out(f, 0, 0, 0, 0, url));
    }
}

/// `curl …` where `env` says it runs. `line` is the command as typed, for the trace.
#[inline(never)]
pub fn curl(sh: &mut Shell, env: &Env, args: &[String], line: &str) -> Output {
    let mut o = Output::ok();
    let opts = match parse_opts(args) {
        Ok(x) => x,
        Err(e) => {
            o.err(format!(
                "curl: {e}\ncurl: try 'curl --help' or 'curl --manual' for more information\n"
            ));
            o.code = 2;
            return o;
        }
    };
    if opts.urls.is_empty() {
        o.err("curl: try 'curl --help' or 'curl --manual' for more information\n");
        o.code = 2;
        return o;
    }
    let flavor = env.flavor;
    let v = flavor.version();
    let show_err = !opts.silent || opts.show_error;
    let meter = !env.tty && !opts.silent;
    // one connection per host:port, reused by the following URLs (keep-alive)
    let mut conn: Option<(String, u16, Walk)> = None;
    let mut conn_no = 0usize;
    for raw in &opts.urls {
        let url = match parse_url(raw) {
            Ok(u) => u,
            Err(e) => {
                if show_err {
                    o.err(format!("curl: (3) {e}\n"));
                }
                o.code = 3;
                continue;
            }
        };
        let mut trace = Trace::new(line, raw);
        let reuse = conn
            .as_ref()
            .filter(|(h, p, w)| {
                *h == url.host && *p == url.port && matches!(w.outcome, Outcome::Served { .. })
            })
            .map(|(_, _, w)| w.clone());
        let walk = match reuse {
            Some(w) => {
                if opts.verbose {
                    o.err(match flavor {
                        Flavor::V7_81 => format!("* Found bundle for host {}: {{}} [serially]\n* Can not multiplex, even if we wanted to!\n* Re-using existing connection! (#{conn_no}) with host {}\n* Connected to {} ({}) port {} (#{conn_no})\n", url.host, url.host, url.host, ip_to_string(w.sent.dst), url.port),
                        _ => format!("* Re-using existing connection with host {}\n", url.host),
                    });
                }
                w
            }
            None => {
                if conn.is_some() {
                    conn_no += 1;
                }
                let (steps, dns_walk, resolved) = resolve(sh, env, &url.host);
                trace.dns = steps;
                trace.dns_walk = dns_walk;
                let ip = match resolved {
                    Ok(ip) => ip,
                    Err(why) => {
                        if why == "timeout" {
                            let ms = opts.max_time.map(|m| (m * 1000.0) as u64).unwrap_or(10_000);
                            sh.cluster.advance(ms);
                            if opts.verbose {
                                o.err(format!("* Resolving timed out after {ms} milliseconds\n"));
                            }
                            if show_err {
                                o.err(format!(
                                    "curl: (28) Resolving timed out after {ms} milliseconds\n"
                                ));
                            }
                            o.code = 28;
                        } else {
                            if opts.verbose {
                                o.err(format!("* Could not resolve host: {}\n", url.host));
                                o.err(match flavor {
                                    Flavor::V7_81 => "* Closing connection 0\n".to_string(),
                                    _ => format!("* shutting down connection #{conn_no}\n"),
                                });
                            }
                            if show_err {
                                o.err(format!("curl: (6) Could not resolve host: {}\n", url.host));
                            }
                            o.code = 6;
                        }
                        trace.state = "failed".into();
                        trace.summary = format!("{} does not resolve", url.host);
                        if let Some(target) = why.strip_prefix("cname ") {
                            // a real cluster would follow the CNAME to the internet; say why not
                            let note = format!(
                                "{} is an ExternalName Service (CNAME {target}); the lab is offline, so {target} does not resolve further",
                                url.host
                            );
                            o.err(format!("svclab: {note}\n"));
                            trace.summary = note;
                        }
                        sh.record(trace);
                        continue;
                    }
                };
                if opts.verbose && parse_ip(&url.host).is_none() && flavor != Flavor::V7_81 {
                    o.err(format!(
                        "* Host {}:{} was resolved.\n* IPv6: (none)\n* IPv4: {}\n",
                        url.host,
                        url.port,
                        ip_to_string(ip)
                    ));
                }
                if opts.verbose {
                    o.err(format!("*   Trying {}:{}...\n", ip_to_string(ip), url.port));
                }
                let w = sh.cluster.walk(&env.client, ip, url.port);
                conn = Some((url.host.clone(), url.port, w.clone()));
                w
            }
        };
        trace.walk = Some(walk.clone());
        if let Some(port) = walk.forwarded {
            // kubectl port-forward, running as a background job of this terminal, reports it
            o.out(format!("Handling connection for {port}\n"));
        }
        let ip_s = ip_to_string(walk.sent.dst);
        match &walk.outcome {
            Outcome::Refused { why } | Outcome::NoRoute { why } => {
                let no_route = matches!(walk.outcome, Outcome::NoRoute { .. });
                let (os, ms) = if no_route {
                    ("No route to host", 3071)
                } else {
                    ("Connection refused", 0)
                };
                sh.cluster.advance(ms);
                let msg = format!(
                    "Failed to connect to {} port {} after {ms} ms: {}",
                    url.host,
                    url.port,
                    flavor.cannot_connect(os)
                );
                if opts.verbose {
                    let from = match flavor {
                        Flavor::V8_14 => {
                            format!(" from {} port 47982", ip_to_string(walk.sent.src))
                        }
                        _ => String::new(),
                    };
                    o.err(format!(
                        "* connect to {ip_s} port {}{from} failed: {os}\n* {msg}\n",
                        url.port
                    ));
                    o.err(flavor.closing(conn_no));
                }
                failed(
                    &mut o,
                    &opts,
                    meter,
                    show_err,
                    &format!("curl: (7) {msg}"),
                    7,
                    raw,
                );
                trace.state = if no_route { "failed" } else { "refused" }.into();
                trace.summary = why.clone();
                conn = None;
            }
            Outcome::Dropped { why } => {
                let limit = opts
                    .connect_timeout
                    .into_iter()
                    .chain(opts.max_time)
                    .fold(None::<f64>, |m, x| Some(m.map_or(x, |m| m.min(x))));
                let (ms, line) = match limit {
                    Some(t) => {
                        let ms = (t * 1000.0) as u64 + 2;
                        (
                            ms,
                            format!("curl: (28) Connection timed out after {ms} milliseconds"),
                        )
                    }
                    None => {
                        // the kernel gives up after six SYN retransmissions
                        let ms = 130_000 + (sh.cluster.now.0 % 1000);
                        (
                            ms,
                            format!(
                                "curl: (28) Failed to connect to {} port {} after {ms} ms: {}",
                                url.host,
                                url.port,
                                flavor.cannot_connect("Connection timed out")
                            ),
                        )
                    }
                };
                sh.cluster.advance(ms);
                if opts.verbose {
                    o.err(format!("* {}\n", line.trim_start_matches("curl: (28) ")));
                    o.err(flavor.closing(conn_no));
                }
                failed(&mut o, &opts, meter, show_err, &line, 28, raw);
                trace.state = "dropped".into();
                trace.summary = why.clone();
                conn = None;
            }
            Outcome::Served { pod, node } => {
                let mut headers = vec![("Host".to_string(), url.host_header.clone())];
                headers.push(("User-Agent".into(), format!("curl/{v}")));
                headers.push(("Accept".into(), "*/*".into()));
                for (n, val) in &opts.headers {
                    match headers
                        .iter_mut()
                        .find(|(hn, _)| hn.eq_ignore_ascii_case(n))
                    {
                        Some(slot) => slot.1 = val.clone(),
                        None => headers.push((n.clone(), val.clone())),
                    }
                }
                let seen = walk.seen.unwrap_or(walk.sent);
                let req = Request {
                    method: match (&opts.method, opts.head) {
                        (Some(m), _) => m.clone(),
                        (None, true) => "HEAD".into(),
                        (None, false) => "GET".into(),
                    },
                    path: url.path.clone(),
                    headers: headers.clone(),
                    client_ip: seen.src,
                    port: seen.dport,
                };
                let health = match pod {
                    None => sh.cluster.health_check_service(seen.dport),
                    Some(_) => None,
                };
                let resp: Option<Response> = match (pod, health) {
                    (Some((ns, name)), _) => http::pod_answer(&sh.cluster, ns, name, &req),
                    (None, Some((ns, name))) => {
                        let n = sh.cluster.local_ready_endpoints(&ns, &name, node);
                        Some(http::health_check(&sh.cluster, &ns, &name, n))
                    }
                    (None, None) if url.scheme == "https" => {
                        if !opts.insecure {
                            if opts.verbose {
                                o.err(format!("* Connected to {} ({ip_s}) port {}\n* SSL certificate problem: unable to get local issuer certificate\n", url.host, url.port));
                            }
                            if show_err {
                                o.err("curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n");
                            }
                            o.code = 60;
                            trace.state = "served".into();
                            trace.summary =
                                format!("kube-apiserver on {node}: TLS certificate not trusted");
                            sh.record(trace);
                            continue;
                        }
                        Some(http::apiserver_anonymous(&sh.cluster, &url.path))
                    }
                    (None, None) => Some(http::apiserver_plain_http()),
                };
                let Some(resp) = resp else {
                    if show_err {
                        o.err("curl: (52) Empty reply from server\n");
                    }
                    o.code = 52;
                    trace.state = "failed".into();
                    if let Some(port) = walk.forwarded {
                        // the kubelet reports the failure on the stream's error channel and
                        // kubectl closes the connection to the pod: the forward exits
                        if let Some(f) = sh.cluster.port_forward_at(walk.sent.dst, port) {
                            let pid = f.pid;
                            sh.cluster.stop_port_forward(pid);
                        }
                        o.err("error: lost connection to pod\n");
                        trace.summary = "nothing in the pod accepts the forwarded connection (or the pod is gone): kubectl port-forward exits".into();
                    }
                    sh.record(trace);
                    continue;
                };
                if opts.verbose {
                    o.err(format!(
                        "* Connected to {} ({ip_s}) port {}{}\n",
                        url.host,
                        url.port,
                        if flavor == Flavor::V7_81 {
                            format!(" (#{conn_no})")
                        } else {
                            String::new()
                        }
                    ));
                    if flavor == Flavor::V8_14 {
                        o.err("* using HTTP/1.x\n");
                    }
                    o.err(format!("> {} {} HTTP/1.1\r\n", req.method, url.path));
                    for (n, val) in &headers {
                        o.err(format!("> {n}: {val}\r\n"));
                    }
                    o.err("> \r\n");
                    if flavor == Flavor::V8_14 {
                        o.err("* Request completely sent off\n");
                    }
                    if flavor == Flavor::V7_81 {
                        o.err("* Mark bundle as not supporting multiuse\n");
                    }
                    o.err(format!("< {}\r\n", resp.status_line));
                    for (n, val) in &resp.headers {
                        o.err(format!("< {n}: {val}\r\n"));
                    }
                    o.err("< \r\n");
                }
                let mut out = String::new();
                if opts.include || opts.head {
                    out.push_str(&format!("{}\r\n", resp.status_line));
                    for (n, val) in &resp.headers {
                        out.push_str(&format!("{n}: {val}\r\n"));
                    }
                    out.push_str("\r\n");
                }
                let failed = opts.fail && resp.status >= 400;
                if !opts.head && !failed && opts.output.is_none() {
                    out.push_str(&resp.body);
                }
                if let Some(f) = &opts.write_out {
                    let url_effective = format!("{}://{}{}", url.scheme, url.host_header, url.path);
                    out.push_str(&write_out(
                        f,
                        resp.status,
                        walk.sent.dst,
                        url.port,
                        resp.body.len(),
                        &url_effective,
                    ));
                }
                if meter {
                    o.err(progress_meter(resp.body.len()));
                }
                o.out(out);
                if opts.verbose {
                    o.err(format!(
                        "* Connection #{conn_no} to host {} left intact\n",
                        url.host
                    ));
                }
                if failed {
                    if show_err {
                        o.err(format!(
                            "curl: (22) The requested URL returned error: {}\n",
                            resp.status
                        ));
                    }
                    o.code = 22;
                }
                (trace.state, trace.summary) = verdict(&walk.outcome);
            }
        }
        sh.record(trace);
    }
    o
}

/// busybox `wget [-q] [-O FILE] [-T SEC] URL`.
pub fn wget(sh: &mut Shell, env: &Env, args: &[String], line: &str) -> Output {
    let mut o = Output::ok();
    let mut quiet = false;
    let mut to_stdout = false;
    let mut timeout: Option<u64> = None;
    let mut urls = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-q" => quiet = true,
            "-O-" | "-qO-" | "-Oq-" => {
                to_stdout = true;
                quiet |= a.contains('q');
            }
            "-O" | "-qO" => {
                quiet |= a.contains('q');
                i += 1;
                to_stdout = args.get(i).map(String::as_str) == Some("-");
            }
            "-T" => {
                i += 1;
                timeout = args.get(i).and_then(|s| s.parse().ok());
            }
            "-S" | "-s" | "--spider" => {}
            _ if a.starts_with('-') => {
                o.err(format!("wget: unrecognized option '{a}'\n{BUSYBOX_BANNER}\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n"));
                o.code = 1;
                return o;
            }
            _ => urls.push(a.to_string()),
        }
        i += 1;
    }
    for raw in urls {
        let url = match parse_url(&raw) {
            Ok(u) => u,
            Err(_) => {
                o.err(format!("wget: not an http or ftp url: {raw}\n"));
                o.code = 1;
                continue;
            }
        };
        let mut trace = Trace::new(line, &raw);
        let (steps, dns_walk, resolved) = resolve(sh, env, &url.host);
        trace.dns = steps;
        trace.dns_walk = dns_walk;
        let ip = match resolved {
            Ok(ip) => ip,
            Err(why) => {
                o.err(format!("wget: bad address '{}'\n", url.host));
                if let Some(target) = why.strip_prefix("cname ") {
                    o.err(format!("svclab: {} is an ExternalName Service (CNAME {target}); the lab is offline, so {target} does not resolve further\n", url.host));
                }
                o.code = 1;
                trace.state = "failed".into();
                sh.record(trace);
                continue;
            }
        };
        if !quiet {
            o.err(format!(
                "Connecting to {}:{} ({}:{})\n",
                url.host,
                url.port,
                ip_to_string(ip),
                url.port
            ));
        }
        let walk = sh.cluster.walk(&env.client, ip, url.port);
        trace.walk = Some(walk.clone());
        match &walk.outcome {
            Outcome::Refused { why } | Outcome::NoRoute { why } => {
                let os = if matches!(walk.outcome, Outcome::NoRoute { .. }) {
                    "No route to host"
                } else {
                    "Connection refused"
                };
                o.err(format!(
                    "wget: can't connect to remote host ({}): {os}\n",
                    ip_to_string(ip)
                ));
                o.code = 1;
                trace.state = "refused".into();
                trace.summary = why.clone();
            }
            Outcome::Dropped { why } => {
                sh.cluster.advance(timeout.unwrap_or(900) * 1000);
                o.err("wget: download timed out\n");
                o.code = 1;
                trace.state = "dropped".into();
                trace.summary = why.clone();
            }
            Outcome::Served { pod, .. } => {
                let seen = walk.seen.unwrap_or(walk.sent);
                let req = Request {
                    method: "GET".into(),
                    path: url.path.clone(),
                    headers: vec![
                        ("Host".into(), url.host_header.clone()),
                        ("User-Agent".into(), "Wget".into()),
                        ("Connection".into(), "close".into()),
                    ],
                    client_ip: seen.src,
                    port: seen.dport,
                };
                let resp = match pod {
                    Some((ns, name)) => http::pod_answer(&sh.cluster, ns, name, &req),
                    None => Some(http::apiserver_plain_http()),
                };
                let Some(resp) = resp else {
                    o.err("wget: error getting response: Connection reset by peer\n");
                    o.code = 1;
                    sh.record(trace);
                    continue;
                };
                if resp.status >= 400 {
                    o.err(format!(
                        "wget: server returned error: {}\n",
                        resp.status_line
                    ));
                    o.code = 1;
                } else {
                    let n = resp.body.len();
                    if to_stdout {
                        if !quiet {
                            o.err("writing to stdout\n");
                        }
                        o.out(resp.body.clone());
                        if !quiet {
                            o.err(format!("-                    100% |********************************| {n:>5}  0:00:00 ETA\nwritten to stdout\n"));
                        }
                    } else if !quiet {
                        o.err(format!("saving to 'index.html'\nindex.html           100% |********************************| {n:>5}  0:00:00 ETA\n'index.html' saved\n"));
                    }
                }
                (trace.state, trace.summary) = verdict(&walk.outcome);
            }
        }
        sh.record(trace);
    }
    o
}

/// A trace's state (`data-state` in the lab) and one-line summary for a walk's outcome.
fn verdict(outcome: &Outcome) -> (String, String) {
    match outcome {
        Outcome::Served {
            pod: Some((ns, n)),
            node,
        } => ("served".into(), format!("served by pod {ns}/{n} on {node}")),
        Outcome::Served { pod: None, node } => {
            ("served".into(), format!("answered by node {node}"))
        }
        Outcome::Refused { why } => ("refused".into(), why.clone()),
        Outcome::Dropped { why } => ("dropped".into(), why.clone()),
        Outcome::NoRoute { why } => ("failed".into(), why.clone()),
    }
}

/// One connection of the lab's traffic generator: walked like curl's, recorded as a trace, no
/// output. Returns the trace's id.
pub fn probe(sh: &mut Shell, client: &Client, ip: u32, port: u16, label: &str) -> u64 {
    let w = sh.cluster.walk(client, ip, port);
    let mut t = Trace::new(label, &format!("{}:{port}", ip_to_string(ip)));
    (t.state, t.summary) = verdict(&w.outcome);
    t.walk = Some(w);
    sh.record(t);
    sh.traces.last().map(|t| t.id).unwrap_or(0)
}
