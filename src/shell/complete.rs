//! Completion for the lab's terminal: commands, kubectl verbs, resource types, and the names of
//! the objects of the type already typed (in the namespace given with `-n`, else the current
//! kubeconfig context's), and `kubectl config`'s subcommands and contexts.

use super::Shell;
use crate::sim::object::Kind;

const COMMANDS: &[&str] = &[
    "kubectl", "minikube", "curl", "svclab", "echo", "printf", "sleep", "clear",
];
const ROLLOUT: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];
const CONFIG: &[&str] = &[
    "current-context",
    "get-clusters",
    "get-contexts",
    "get-users",
    "set-context",
    "use-context",
];
const MINIKUBE: &[&str] = &["ip", "service", "ssh", "status", "tunnel", "version"];
const RESOURCES: &[&str] = &[
    "configmaps",
    "daemonsets",
    "deployments",
    "endpoints",
    "endpointslices",
    "namespaces",
    "nodes",
    "pods",
    "replicasets",
    "services",
];

impl Shell {
    /// What the last word of `line` can become.
    pub fn complete(&self, line: &str) -> Vec<String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let partial = if line.ends_with(char::is_whitespace) || words.is_empty() {
            ""
        } else {
            words[words.len() - 1]
        };
        let before: Vec<&str> = if partial.is_empty() {
            words.clone()
        } else {
            words[..words.len() - 1].to_vec()
        };
        let pick = |list: Vec<String>| -> Vec<String> {
            let mut out: Vec<String> = list
                .into_iter()
                .filter(|c| c.starts_with(partial))
                .collect();
            crate::sim::order::sort(&mut out);
            out.dedup();
            out
        };
        let owned = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match before.as_slice() {
            [] => pick(owned(COMMANDS)),
            ["kubectl" | "k"] => pick(owned(super::kubectl::SUBCOMMANDS)),
            ["kubectl" | "k", "rollout"] => pick(owned(ROLLOUT)),
            ["kubectl" | "k", "config"] => pick(owned(CONFIG)),
            ["kubectl" | "k", "config", "use-context" | "use" | "get-contexts" | "set-context"] => {
                pick(self.kubeconfig.contexts.keys().cloned().collect())
            }
            ["kubectl" | "k", "rollout", _] => pick(
                self.cluster
                    .list(Kind::Deployment, Some(self.kubeconfig.namespace(None)))
                    .iter()
                    .map(|o| format!("deployment/{}", o.name()))
                    .collect(),
            ),
            ["minikube"] => pick(owned(MINIKUBE)),
            ["svclab"] => pick(vec!["trace".into()]),
            ["kubectl" | "k", verb, rest @ ..] => {
                let positional: Vec<&&str> = rest.iter().filter(|w| !w.starts_with('-')).collect();
                let namespace = rest
                    .windows(2)
                    .find(|w| w[0] == "-n" || w[0] == "--namespace")
                    .map(|w| w[1])
                    .unwrap_or(self.kubeconfig.namespace(None));
                match (*verb, positional.first()) {
                    (
                        "get" | "describe" | "delete" | "edit" | "label" | "annotate" | "patch"
                        | "scale" | "expose",
                        None,
                    ) => pick(owned(RESOURCES)),
                    (
                        "get" | "describe" | "delete" | "edit" | "label" | "annotate" | "patch"
                        | "scale" | "expose",
                        Some(kind),
                    ) => match Kind::from_resource_name(kind) {
                        Some(k) => pick(
                            self.cluster
                                .list(k, Some(namespace))
                                .iter()
                                .map(|o| o.name().to_string())
                                .collect(),
                        ),
                        None => Vec::new(),
                    },
                    ("exec" | "logs" | "port-forward", _) => pick(
                        self.cluster
                            .list(Kind::Pod, Some(namespace))
                            .iter()
                            .map(|o| o.name().to_string())
                            .collect(),
                    ),
                    _ => Vec::new(),
                }
            }
            ["minikube", "service", ..] => pick(
                self.cluster
                    .list(Kind::Service, Some("default"))
                    .iter()
                    .map(|o| o.name().to_string())
                    .collect(),
            ),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::NoFiles;
    use crate::sim::Cluster;

    #[test]
    fn completes_commands_verbs_resources_and_names() {
        let mut sh = Shell::new(Cluster::new(1), Box::new(NoFiles));
        sh.run("kubectl create deployment web --image=kicbase/echo-server:1.0");
        assert_eq!(sh.complete("kub"), vec!["kubectl"]);
        assert_eq!(sh.complete("kubectl de"), vec!["delete", "describe"]);
        assert_eq!(sh.complete("kubectl po"), vec!["port-forward"]);
        assert_eq!(sh.complete("kubectl rollout h"), vec!["history"]);
        assert_eq!(sh.complete("kubectl rollout undo "), vec!["deployment/web"]);
        assert_eq!(sh.complete("kubectl get dep"), vec!["deployments"]);
        assert_eq!(sh.complete("kubectl get deploy w"), vec!["web"]);
        assert_eq!(
            sh.complete("kubectl get svc -n kube-system k"),
            vec!["kube-dns"]
        );
        assert!(sh
            .complete("kubectl logs ")
            .iter()
            .any(|p| p.starts_with("web-")));
        assert!(sh.complete("nothing here ").is_empty());
    }

    #[test]
    fn completes_in_the_current_contexts_namespace() {
        let mut sh = Shell::new(Cluster::new(1), Box::new(NoFiles));
        sh.run("kubectl create namespace dev");
        sh.run("kubectl create deployment api -n dev --image=kicbase/echo-server:1.0");
        assert!(sh.complete("kubectl get deploy a").is_empty());
        assert_eq!(sh.complete("kubectl config u"), vec!["use-context"]);
        sh.run("kubectl config set-context --current --namespace=dev");
        assert_eq!(sh.complete("kubectl get deploy a"), vec!["api"]);
        assert_eq!(
            sh.complete("kubectl config use-context m"),
            vec!["minikube"]
        );
    }
}
