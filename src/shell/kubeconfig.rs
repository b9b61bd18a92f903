//! The kubeconfig `minikube start` writes, and `kubectl config` over it
//! (`kubernetes/kubectl:pkg/cmd/config`): its contexts say which cluster, user and namespace
//! every other kubectl command uses, so `kubectl config set-context --current --namespace=dev`
//! changes where `kubectl get pods` looks, as on a real machine.
//!
//! The file holds one cluster and one user, both `minikube` (their certificates are files in the
//! trainer's home, which the lab does not have: `kubectl config view` is not simulated).

use super::flags::{self, Flag};
use super::tabwriter::TabWriter;
use super::{Output, Shell};
use std::collections::BTreeMap;

/// The one cluster and the one user of minikube's kubeconfig.
const MINIKUBE: &str = "minikube";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub cluster: String,
    pub user: String,
    pub namespace: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeConfig {
    pub current: String,
    pub contexts: BTreeMap<String, Context>,
}

impl Default for KubeConfig {
    /// What `minikube start` writes: "kubectl is now configured to use "minikube" cluster and
    /// "default" namespace by default".
    fn default() -> Self {
        let minikube = Context {
            cluster: MINIKUBE.into(),
            user: MINIKUBE.into(),
            namespace: "default".into(),
        };
        KubeConfig {
            current: MINIKUBE.into(),
            contexts: [(MINIKUBE.to_string(), minikube)].into_iter().collect(),
        }
    }
}

/// The kubeconfig overrides every kubectl command accepts (`--context`, `--cluster`, `--user`,
/// and the two the lab cannot honour), read before the command's own flags are parsed.
#[derive(Debug, Default)]
pub struct Overrides {
    context: Option<String>,
    cluster: Option<String>,
    user: Option<String>,
    unsupported: Option<&'static str>,
}

impl Overrides {
    pub fn of(args: &[String]) -> Overrides {
        let mut o = Overrides::default();
        let mut i = 0;
        while i < args.len() {
            let w = args[i].as_str();
            i += 1;
            if w == "--" {
                break;
            }
            for name in ["context", "cluster", "user", "kubeconfig", "server"] {
                let value = match w.strip_prefix("--").and_then(|f| f.strip_prefix(name)) {
                    Some(rest) if rest.starts_with('=') => Some(rest[1..].to_string()),
                    Some("") => args.get(i).cloned(),
                    _ => None,
                };
                let Some(value) = value else { continue };
                match name {
                    "context" => o.context = Some(value),
                    "cluster" => o.cluster = Some(value),
                    "user" => o.user = Some(value),
                    "kubeconfig" => o.unsupported = Some("--kubeconfig"),
                    _ => o.unsupported = Some("--server"),
                }
            }
            if w == "-s" || (w.starts_with("-s") && !w.starts_with("--")) {
                o.unsupported = Some("--server");
            }
        }
        o
    }
}

impl KubeConfig {
    /// The context a command uses: `--context`, or the current one.
    fn context_name<'a>(&'a self, context: Option<&'a str>) -> &'a str {
        context.unwrap_or(&self.current)
    }

    /// What `DirectClientConfig.ConfirmUsable` and the connection say before a command reaches
    /// the cluster: a named context must exist; a cluster missing from the file falls back to
    /// kubectl's default server, localhost:8080, where nothing listens.
    pub fn connect(&self, o: &Overrides) -> Result<(), Unusable> {
        if let Some(flag) = o.unsupported {
            return Err(Unusable::Config(format!(
                "svclab: {flag} is not simulated: the lab's kubectl talks to its one minikube cluster through the kubeconfig minikube wrote"
            )));
        }
        let name = self.context_name(o.context.as_deref());
        if name.is_empty() {
            // `ErrNoContext` is not a validation error here: with no context, the empty
            // cluster takes kubectl's defaults
            return Err(refused());
        }
        let Some(ctx) = self.contexts.get(name) else {
            return Err(Unusable::Config(format!(
                "Error in configuration: context was not found for specified context: {name}"
            )));
        };
        let cluster = o.cluster.as_deref().unwrap_or(&ctx.cluster);
        if cluster != MINIKUBE {
            return Err(refused());
        }
        let user = o.user.as_deref().unwrap_or(&ctx.user);
        if user != MINIKUBE {
            return Err(Unusable::Server(format!(
                "svclab: the kubeconfig has no user \"{user}\", so kubectl would send no client certificate; the lab simulates only the user \"minikube\""
            )));
        }
        Ok(())
    }

    /// The namespace of the context a command uses (`default` when the context names none).
    pub fn namespace(&self, context: Option<&str>) -> &str {
        self.contexts
            .get(self.context_name(context))
            .map(|c| c.namespace.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or("default")
    }
}

fn refused() -> Unusable {
    Unusable::Server(
        "The connection to the server localhost:8080 was refused - did you specify the right host or port?".into(),
    )
}

/// Why a command cannot use the cluster: the kubeconfig does not load (kubectl stops before
/// doing anything), or the server it names cannot serve the request.
pub enum Unusable {
    Config(String),
    Server(String),
}

impl Unusable {
    pub fn into_output(self) -> Output {
        match self {
            Unusable::Config(m) | Unusable::Server(m) => Output::fail(m),
        }
    }
}

/// `kubectl config SUBCOMMAND`.
#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let Some(sub) = args.first() else {
        return Output::fail(
            "error: kubectl config needs a subcommand; svclab knows current-context, get-contexts, get-clusters, get-users, set-context and use-context",
        );
    };
    let rest = &args[1..];
    match sub.as_str() {
        "current-context" => current_context(sh, rest),
        "get-contexts" => get_contexts(sh, rest),
        "get-clusters" | "get-users" => names(sub, rest),
        "set-context" => set_context(sh, rest),
        "use-context" | "use" => use_context(sh, rest),
        other => Output::fail(format!(
            "svclab: \"kubectl config {other}\" is not simulated; svclab knows current-context, get-contexts, get-clusters, get-users, set-context and use-context"
        )),
    }
}

fn parse(args: &[String], specs: &[Flag], command: &str) -> Result<flags::Parsed, Output> {
    super::kubectl::parse(args, specs, &format!("kubectl config {command}"))
}

fn current_context(sh: &Shell, args: &[String]) -> Output {
    if let Err(e) = parse(args, &[], "current-context") {
        return e;
    }
    if sh.kubeconfig.current.is_empty() {
        return Output::fail("error: current-context is not set");
    }
    let mut o = Output::ok();
    o.out(format!("{}\n", sh.kubeconfig.current));
    o
}

/// `get-contexts` (`RunGetContexts`): a table, or names only with `-o name`.
fn get_contexts(sh: &Shell, args: &[String]) -> Output {
    let specs = [
        flags::val("output", Some('o')),
        flags::flag("no-headers", None),
    ];
    let p = match parse(args, &specs, "get-contexts") {
        Ok(p) => p,
        Err(e) => return e,
    };
    let mut o = Output::ok();
    let mut format = p.get("output").unwrap_or("");
    const VALID: &[&str] = &[
        "",
        "json",
        "yaml",
        "wide",
        "name",
        "custom-columns",
        "custom-columns-file",
        "go-template",
        "go-template-file",
        "jsonpath",
        "jsonpath-file",
    ];
    if !VALID.contains(&format) {
        return Output::fail(format!(
            "error: output must be one of '' or 'name': {format}"
        ));
    }
    if !matches!(format, "" | "name") {
        o.out(format!(
            "--output {format} is not available in kubectl config get-contexts; resetting to default output format\n"
        ));
        format = "";
    }
    let name_only = format == "name";
    let config = &sh.kubeconfig;
    let mut errors = Vec::new();
    let mut shown: Vec<&str> = Vec::new();
    if p.args.is_empty() {
        shown.extend(config.contexts.keys().map(String::as_str));
    } else {
        for name in &p.args {
            if config.contexts.contains_key(name) {
                shown.push(name);
            } else {
                errors.push(format!("context {name} not found"));
            }
        }
    }
    // (one sort for the whole lab: each sort instantiated for a new type is kilobytes of wasm)
    crate::sim::order::sort(&mut shown);
    let mut t = String::new();
    if !p.bool("no-headers") && !name_only {
        t.push_str("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
    }
    for name in shown {
        if name_only {
            t.push_str(name);
            t.push('\n');
            continue;
        }
        let c = &config.contexts[name];
        let mark = if config.current == name { "*" } else { " " };
        t.push_str(&format!(
            "{mark}\t{name}\t{}\t{}\t{}\n",
            c.cluster, c.user, c.namespace
        ));
    }
    o.out(TabWriter::kubectl().format(&t));
    match errors.as_slice() {
        [] => {}
        // an aggregate of one is unwrapped, and a plain error gets kubectl's prefix
        [one] => {
            o.err(format!("error: {one}\n"));
            o.code = 1;
        }
        many => {
            o.err(many.iter().map(|e| format!("{e}\n")).collect::<String>());
            o.code = 1;
        }
    }
    o
}

/// `get-clusters` and `get-users`: minikube writes one of each.
fn names(sub: &str, args: &[String]) -> Output {
    if let Err(e) = parse(args, &[], sub) {
        return e;
    }
    let mut o = Output::ok();
    o.out(format!("NAME\n{MINIKUBE}\n"));
    o
}

/// `set-context [NAME | --current] [--cluster=…] [--user=…] [--namespace=…]`: creates or
/// changes a context entry; nothing is checked against the cluster.
fn set_context(sh: &mut Shell, args: &[String]) -> Output {
    // its own --cluster, --user and --namespace hide kubectl's global ones, and with them the
    // global -n shorthand
    if let Some(w) = args
        .iter()
        .take_while(|w| *w != "--")
        .find(|w| w.starts_with("-n") && !w.starts_with("--"))
    {
        return Output::fail(super::errors::flag_error(
            "kubectl config set-context",
            &format!("unknown shorthand flag: 'n' in {w}"),
        ));
    }
    let specs = [flags::flag("current", None)];
    let p = match parse(args, &specs, "set-context") {
        Ok(p) => p,
        Err(e) => return e,
    };
    if p.args.len() > 1 {
        return Output::fail(format!("error: Unexpected args: [{}]", p.args.join(" ")));
    }
    let current = p.bool("current");
    let given = p.args.first().cloned().unwrap_or_default();
    if given.is_empty() && !current {
        return Output::fail("error: you must specify a non-empty context name or --current");
    }
    if !given.is_empty() && current {
        return Output::fail("error: you cannot specify both a context name and --current");
    }
    let config = &mut sh.kubeconfig;
    let name = if current {
        if config.current.is_empty() {
            return Output::fail("error: no current context is set");
        }
        config.current.clone()
    } else {
        given
    };
    let exists = config.contexts.contains_key(&name);
    let ctx = config.contexts.entry(name.clone()).or_insert(Context {
        cluster: String::new(),
        user: String::new(),
        namespace: String::new(),
    });
    if let Some(v) = p.get("cluster") {
        ctx.cluster = v.to_string();
    }
    if let Some(v) = p.get("user") {
        ctx.user = v.to_string();
    }
    if let Some(v) = p.get("namespace") {
        ctx.namespace = v.to_string();
    }
    let mut o = Output::ok();
    o.out(format!(
        "Context \"{name}\" {}.\n",
        if exists { "modified" } else { "created" }
    ));
    o
}

/// `use-context NAME` (alias `use`).
fn use_context(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, &[], "use-context") {
        Ok(p) => p,
        Err(e) => return e,
    };
    let [name] = p.args.as_slice() else {
        return Output::fail(format!("error: Unexpected args: [{}]", p.args.join(" ")));
    };
    if name.is_empty() {
        return Output::fail("error: empty context names are not allowed");
    }
    if !sh.kubeconfig.contexts.contains_key(name) {
        return Output::fail(format!(
            "error: no context exists with the name: \"{name}\""
        ));
    }
    sh.kubeconfig.current = name.clone();
    let mut o = Output::ok();
    o.out(format!("Switched to context \"{name}\".\n"));
    o
}

#[cfg(test)]
mod tests {
    use crate::shell::{NoFiles, Shell};
    use crate::sim::object::Kind;
    use crate::sim::Cluster;

    #[test]
    fn the_editor_keeps_its_objects_in_default_whatever_the_context_says() {
        let mut sh = Shell::new(Cluster::new(1), Box::new(NoFiles));
        sh.run("kubectl create namespace dev");
        sh.run("kubectl config set-context --current --namespace=dev");
        let line = "kubectl create deployment web --image=kicbase/echo-server:1.0";
        assert_eq!(sh.run_in_default_namespace(line).code, 0);
        assert!(sh.cluster.get(Kind::Deployment, "default", "web").is_some());
        // the terminal still uses the context's namespace afterwards
        assert_eq!(sh.run(line).code, 0);
        assert!(sh.cluster.get(Kind::Deployment, "dev", "web").is_some());
        // and `-n` wins over both
        let explicit =
            "kubectl create deployment api -n kube-system --image=kicbase/echo-server:1.0";
        assert_eq!(sh.run_in_default_namespace(explicit).code, 0);
        assert!(sh
            .cluster
            .get(Kind::Deployment, "kube-system", "api")
            .is_some());
        // a context on another cluster cuts the terminal off, not the editor
        sh.run("kubectl config set-context elsewhere --cluster=kind-kind --user=kind");
        sh.run("kubectl config use-context elsewhere");
        assert_eq!(sh.run("kubectl get pods").code, 1);
        let third = "kubectl create deployment third --image=kicbase/echo-server:1.0";
        assert_eq!(sh.run_in_default_namespace(third).code, 0);
        assert!(sh
            .cluster
            .get(Kind::Deployment, "default", "third")
            .is_some());
    }
}
