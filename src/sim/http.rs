//! What the lab's servers answer to an HTTP request (spec §13): the echo servers report what they
//! saw, so a masqueraded source is visible.

use crate::sim::cluster::Cluster;
use crate::sim::net::ip_to_string;
use crate::sim::object::{Kind, Object};
use crate::sim::programs::Program;

/// The `Date` header: now, in RFC 1123 with GMT.
fn http_date(c: &Cluster) -> String {
    c.now
        .to_datetime()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// A request as the server receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// headers in the order sent (Host first)
    pub headers: Vec<(String, String)>,
    /// the source address the server sees
    pub client_ip: u32,
    pub port: u16,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// e.g. `HTTP/1.1 200 OK`
    pub status_line: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The answer of pod `ns/name` to `req`; `None` when nothing in it listens on the port.
pub fn pod_answer(c: &Cluster, ns: &str, name: &str, req: &Request) -> Option<Response> {
    let Some(Object::Pod(pod)) = c.get(Kind::Pod, ns, name) else {
        return None;
    };
    let date = http_date(c);
    let spec = pod.spec.as_ref()?;
    let container = spec
        .containers
        .iter()
        .find(|ct| Program::for_container(ct).listens_on(req.port as i32))?;
    let hostname = spec.hostname.clone().unwrap_or_else(|| name.to_string());
    let pod_ip = pod
        .status
        .as_ref()
        .and_then(|s| s.pod_ip.clone())
        .unwrap_or_default();
    let host = req.header("Host").unwrap_or("").to_string();
    let go = |ctype: &str, body: String| Response {
        status_line: "HTTP/1.1 200 OK".into(),
        status: 200,
        headers: vec![
            ("Content-Type".into(), ctype.into()),
            ("Date".into(), date.clone()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    };
    Some(match Program::for_container(container) {
        Program::EchoServer { .. } => {
            // jmalloc/echo-server: the request line, Host, then the other headers by name
            let mut body = format!(
                "Request served by {hostname}\n\nHTTP/1.1 {} {}\n\nHost: {host}\n",
                req.method, req.path
            );
            let mut others: Vec<&(String, String)> = req
                .headers
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
                .collect();
            crate::sim::order::sort_by(&mut others, |a, b| a.0.cmp(&b.0));
            for (n, v) in others {
                body.push_str(&format!("{n}: {v}\n"));
            }
            go("text/plain", body)
        }
        Program::HelloFrom => go(
            "text/plain; charset=utf-8",
            format!("Hello from {name} ({pod_ip})\n"),
        ),
        Program::Echoserver { .. } => {
            let host_only = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
            let (path, query) = req.path.split_once('?').unwrap_or((req.path.as_str(), ""));
            let mut headers: Vec<(String, String)> = req
                .headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect();
            crate::sim::order::sort(&mut headers);
            let mut body = format!(
                "\n\nHostname: {hostname}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n\tclient_address={}\n\tmethod={}\n\treal path={path}\n\tquery={query}\n\trequest_version=1.1\n\trequest_scheme=http\n\trequest_uri=http://{host_only}:8080{}\n\nRequest Headers:\n",
                ip_to_string(req.client_ip),
                req.method,
                req.path
            );
            for (n, v) in headers {
                body.push_str(&format!("\t{n}={v}\n"));
            }
            body.push_str("\nRequest Body:\n\t-no body in request-\n\n");
            Response {
                status_line: "HTTP/1.1 200 OK".into(),
                status: 200,
                headers: vec![
                    ("Server".into(), "nginx/1.13.3".into()),
                    ("Date".into(), date),
                    ("Content-Type".into(), "text/plain".into()),
                    ("Transfer-Encoding".into(), "chunked".into()),
                    ("Connection".into(), "keep-alive".into()),
                ],
                body,
            }
        }
        Program::HelloApp { version, .. } => go(
            "text/plain; charset=utf-8",
            format!("Hello, world!\nVersion: {version}\nHostname: {hostname}\n"),
        ),
        Program::Bootcamp { version } => Response {
            // Node's http server: writeHead(200) with one header, then write/end (chunked)
            status_line: "HTTP/1.1 200 OK".into(),
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/plain".into()),
                ("Date".into(), date),
                ("Connection".into(), "keep-alive".into()),
                ("Transfer-Encoding".into(), "chunked".into()),
            ],
            body: format!("Hello Kubernetes bootcamp! | Running on: {hostname} | v={version}\n"),
        },
        Program::Client => return None,
        Program::Generic { .. } => {
            let image = container.image.clone().unwrap_or_default();
            go(
                "text/plain; charset=utf-8",
                format!(
                    "svclab: {image} in pod {name} answered on port {}\n",
                    req.port
                ),
            )
        }
    })
}

/// kube-apiserver's answer to plain HTTP on its TLS port (Go's `http.Server`).
pub fn apiserver_plain_http() -> Response {
    Response {
        status_line: "HTTP/1.0 400 Bad Request".into(),
        status: 400,
        headers: Vec::new(),
        body: "Client sent an HTTP request to an HTTPS server.\n".into(),
    }
}

/// kube-apiserver's answer to an anonymous HTTPS request for `path`.
pub fn apiserver_anonymous(c: &Cluster, path: &str) -> Response {
    let date = http_date(c);
    let body = format!(
        "{{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{}},\n  \"status\": \"Failure\",\n  \"message\": \"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"{path}\\\"\",\n  \"reason\": \"Forbidden\",\n  \"details\": {{}},\n  \"code\": 403\n}}"
    );
    Response {
        status_line: "HTTP/2 403".into(),
        status: 403,
        headers: vec![
            (
                "audit-id".into(),
                "00000000-0000-0000-0000-000000000000".into(),
            ),
            ("cache-control".into(), "no-cache, private".into()),
            ("content-type".into(), "application/json".into()),
            ("x-content-type-options".into(), "nosniff".into()),
            ("content-length".into(), body.len().to_string()),
            ("date".into(), date),
        ],
        body,
    }
}

/// kube-proxy's health-check server on a Service's healthCheckNodePort (spec §3.6): 200 while
/// this node has a ready local endpoint, else 503.
pub fn health_check(c: &Cluster, ns: &str, name: &str, local_endpoints: usize) -> Response {
    let date = http_date(c);
    let body = format!(
        "{{\n\t\"service\": {{\n\t\t\"namespace\": \"{ns}\",\n\t\t\"name\": \"{name}\"\n\t}},\n\t\"localEndpoints\": {local_endpoints},\n\t\"serviceProxyHealthy\": true\n}}"
    );
    let (status, line) = if local_endpoints > 0 {
        (200, "HTTP/1.1 200 OK")
    } else {
        (503, "HTTP/1.1 503 Service Unavailable")
    };
    Response {
        status_line: line.into(),
        status,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            (
                "X-Load-Balancing-Endpoint-Weight".into(),
                local_endpoints.to_string(),
            ),
            ("Date".into(), date),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    }
}
