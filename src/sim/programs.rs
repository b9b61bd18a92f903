//! The programs the lab's images run (spec §13): which ports they listen on. What they answer is
//! the dataplane's business; here we only need to know whether a probe or a connection succeeds.

use k8s_openapi::api::core::v1::Container;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// kicbase/echo-server (jmalloc/echo-server): listens on $PORT, default 8080.
    EchoServer { port: i32 },
    /// pbitty/hello-from: listens on 80.
    HelloFrom,
    /// registry.k8s.io/echoserver:1.10 (nginx + lua): listens on 8080.
    Echoserver { port: i32, version: String },
    /// The Kubernetes tutorial's kubernetes-bootcamp (Node.js): listens on 8080 and answers
    /// `Hello Kubernetes bootcamp! | Running on: <host> | v=<version>`.
    Bootcamp { version: String },
    /// Google's hello-app (the GKE and "Exposing an External IP Address" tutorials): Go,
    /// listens on $PORT (8080) and answers `Hello, world!`, its version and its hostname.
    HelloApp { port: i32, version: String },
    /// A client image (curl, busybox, netshoot…): no server.
    Client,
    /// Anything else: listens on the container ports it declares.
    Generic { ports: Vec<i32> },
}

/// The port a program reads from `$PORT`, when the container sets it.
fn env_port(c: &Container) -> Option<i32> {
    c.env
        .iter()
        .flatten()
        .find(|e| e.name == "PORT")
        .and_then(|e| e.value.as_deref())
        .and_then(|v| v.parse().ok())
}

/// Whether any container of the pod listens on `port` (they share the pod's network namespace).
pub fn pod_listens_on(pod: &k8s_openapi::api::core::v1::Pod, port: i32) -> bool {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .any(|c| Program::for_container(c).listens_on(port))
}

/// An image reference's repository (Docker Hub's `docker.io/` and `library/` dropped) and tag
/// (`latest` when none; a registry's `host:port` is not a tag).
pub fn repo_and_tag(image: &str) -> (String, String) {
    let image = image.split('@').next().unwrap_or(image);
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image, "latest"),
    };
    let repo = repo.strip_prefix("docker.io/").unwrap_or(repo);
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    (repo.to_string(), tag.to_string())
}

impl Program {
    pub fn for_container(c: &Container) -> Program {
        let image = c.image.as_deref().unwrap_or("");
        let (repo, tag) = repo_and_tag(image);
        match repo.as_str() {
            "kicbase/echo-server" | "jmalloc/echo-server" => Program::EchoServer {
                port: env_port(c).unwrap_or(8080),
            },
            "pbitty/hello-from" => Program::HelloFrom,
            "gcr.io/google-samples/hello-app"
            | "us-docker.pkg.dev/google-samples/containers/gke/hello-app" => Program::HelloApp {
                port: env_port(c).unwrap_or(8080),
                // the tags are 1.0 and 2.0; the program prints 1.0.0 and 2.0.0
                version: if tag.matches('.').count() == 1 {
                    format!("{tag}.0")
                } else {
                    tag
                },
            },
            // v1 from Google's registry, v2 from the tutorial's own Docker Hub account
            "gcr.io/google-samples/kubernetes-bootcamp" | "jocatalin/kubernetes-bootcamp" => {
                Program::Bootcamp {
                    version: tag.trim_start_matches('v').to_string(),
                }
            }
            "registry.k8s.io/echoserver"
            | "k8s.gcr.io/echoserver"
            | "gcr.io/google_containers/echoserver" => Program::Echoserver {
                port: 8080,
                version: tag,
            },
            "busybox"
            | "curlimages/curl"
            | "nicolaka/netshoot"
            | "alpine"
            | "ubuntu"
            | "debian"
            | "radial/busyboxplus"
            | "registry.k8s.io/e2e-test-images/jessie-dnsutils"
            | "tutum/dnsutils" => Program::Client,
            // CoreDNS also serves health (8080) and readiness (8181)
            "registry.k8s.io/coredns/coredns" | "coredns/coredns" => Program::Generic {
                ports: vec![53, 8080, 8181, 9153],
            },
            _ => Program::Generic {
                ports: c.ports.iter().flatten().map(|p| p.container_port).collect(),
            },
        }
    }

    /// Does the program accept TCP connections on `port`?
    pub fn listens_on(&self, port: i32) -> bool {
        match self {
            Program::EchoServer { port: p } => *p == port,
            Program::HelloFrom => port == 80,
            Program::Bootcamp { .. } => port == 8080,
            Program::HelloApp { port: p, .. } => *p == port,
            Program::Echoserver { port: p, .. } => *p == port,
            Program::Client => false,
            Program::Generic { ports } => ports.contains(&port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(image: &str) -> Container {
        Container {
            name: "c".into(),
            image: Some(image.into()),
            ..Default::default()
        }
    }

    #[test]
    fn images_map_to_their_programs() {
        assert_eq!(
            Program::for_container(&container("kicbase/echo-server:1.0")),
            Program::EchoServer { port: 8080 }
        );
        assert_eq!(
            Program::for_container(&container("pbitty/hello-from:latest")),
            Program::HelloFrom
        );
        assert!(
            Program::for_container(&container("registry.k8s.io/echoserver:1.10")).listens_on(8080)
        );
        assert_eq!(
            Program::for_container(&container("docker.io/library/busybox:1.36")),
            Program::Client
        );
        assert_eq!(
            Program::for_container(&container("gcr.io/google-samples/hello-app:2.0")),
            Program::HelloApp {
                port: 8080,
                version: "2.0.0".into()
            }
        );
        assert_eq!(
            Program::for_container(&container("docker.io/jocatalin/kubernetes-bootcamp:v2")),
            Program::Bootcamp {
                version: "2".into()
            }
        );
    }
}
