//! `kubectl`: the subcommands a Services lesson uses, dispatched to their modules.

use super::flags::{self, Flag};
use super::kubeconfig::Overrides;
use super::{errors, Output, Shell};
use crate::sim::object::Kind;

/// The subcommands the lab's kubectl knows (help, suggestions and the terminal's completion).
pub(super) const SUBCOMMANDS: &[&str] = &[
    "annotate",
    "apply",
    "cluster-info",
    "config",
    "create",
    "delete",
    "describe",
    "edit",
    "exec",
    "expose",
    "get",
    "label",
    "logs",
    "patch",
    "port-forward",
    "rollout",
    "run",
    "scale",
    "set",
    "top",
    "version",
    "wait",
];

/// The other commands of kubectl v1.34: real kubectl knows them, so "unknown command" would be
/// untrue; the lab says it does not simulate them.
const NOT_SIMULATED: &[&str] = &[
    "alpha",
    "api-resources",
    "api-versions",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "completion",
    "cordon",
    "cp",
    "debug",
    "diff",
    "drain",
    "events",
    "explain",
    "kustomize",
    "options",
    "plugin",
    "proxy",
    "replace",
    "taint",
    "uncordon",
];

/// Each command's handler is `#[inline(never)]`: the browser compiles a wasm function whole the
/// first time it runs, and with every handler inlined here, the lab's first `kubectl get`
/// compiled all of kubectl (100 KB) before the page could draw.
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let Some(sub) = args.first() else {
        return Output::fail("kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\nUse \"kubectl <command> --help\" for more information about a given command.");
    };
    let rest = &args[1..];
    // every command that talks to the cluster first loads the kubeconfig's context (the
    // editor's apply always reaches the lab's cluster)
    if SUBCOMMANDS.contains(&sub.as_str())
        && !matches!(sub.as_str(), "config" | "version")
        && !sh.in_default_namespace
    {
        if let Err(e) = sh.kubeconfig.connect(&Overrides::of(rest)) {
            return e.into_output();
        }
    }
    match sub.as_str() {
        "config" => super::kubeconfig::run(sh, rest),
        "get" => super::get::run(sh, rest),
        "describe" => super::describe::run(sh, rest),
        "apply" => super::mutate::apply(sh, rest),
        "create" => super::mutate::create(sh, rest),
        "run" => super::mutate::run_pod(sh, rest),
        "expose" => super::mutate::expose(sh, rest),
        "scale" => super::mutate::scale(sh, rest),
        "label" => super::mutate::label(sh, rest, false),
        "annotate" => super::mutate::label(sh, rest, true),
        "delete" => super::mutate::delete(sh, rest),
        "patch" => super::mutate::patch(sh, rest),
        "set" => super::mutate::set(sh, rest),
        "rollout" => super::mutate::rollout(sh, rest),
        "edit" => super::mutate::edit(sh, rest),
        "exec" => super::pod_exec::run(sh, rest),
        "logs" => super::pod_exec::logs(sh, rest),
        "port-forward" => super::port_forward::run(sh, rest),
        "wait" => super::wait::run(sh, rest),
        // minikube starts without the metrics-server addon
        "top" => Output::fail("error: Metrics API not available"),
        "version" => version(sh, rest),
        "cluster-info" if rest.first().is_some_and(|w| w == "dump") => Output::fail(
            "svclab: \"kubectl cluster-info dump\" is not simulated: it prints every object and log of the cluster",
        ),
        "cluster-info" => {
            let mut o = Output::ok();
            o.out("\u{1b}[0;32mKubernetes control plane\u{1b}[0m is running at \u{1b}[0;33mhttps://192.168.49.2:8443\u{1b}[0m\n\u{1b}[0;32mCoreDNS\u{1b}[0m is running at \u{1b}[0;33mhttps://192.168.49.2:8443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\u{1b}[0m\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
            o
        }
        "-h" | "--help" | "help" => {
            let mut o = Output::ok();
            o.out(format!(
                "kubectl controls the Kubernetes cluster manager.\n\nCommands svclab knows: {}\n",
                SUBCOMMANDS.join(", ")
            ));
            o
        }
        other if NOT_SIMULATED.contains(&other) => Output::fail(format!(
            "svclab: \"kubectl {other}\" is not simulated in this lab; its kubectl knows {}",
            SUBCOMMANDS.join(", ")
        )),
        other => {
            let mut msg = format!("error: unknown command \"{other}\" for \"kubectl\"");
            let suggestions: Vec<&&str> = SUBCOMMANDS
                .iter()
                .filter(|s| levenshtein(s, other) <= 2 || s.starts_with(other))
                .collect();
            if !suggestions.is_empty() {
                msg.push_str("\n\nDid you mean this?");
                for s in suggestions {
                    msg.push_str(&format!("\n\t{s}"));
                }
                msg.push('\n');
            }
            Output::fail(msg)
        }
    }
}

/// `kubectl version [--client] [-o json|yaml]`.
fn version(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[flags::flag("client", None), flags::val("output", Some('o'))],
        "kubectl version",
    ) {
        Ok(p) => p,
        Err(e) => return e,
    };
    match p.get("output") {
        None | Some("") => {}
        Some(f @ ("json" | "yaml")) => {
            return Output::fail(format!(
                "svclab: \"kubectl version -o {f}\" is not simulated: it shows build details (commits, dates, Go versions) the lab does not have"
            ))
        }
        Some(_) => return Output::fail("error: --output must be 'yaml' or 'json'"),
    }
    let mut o = Output::ok();
    let client = "Client Version: v1.34.1\nKustomize Version: v5.7.1\n";
    if p.bool("client") {
        o.out(client);
        return o;
    }
    // the server's version comes from the cluster the context names: a kubeconfig that does
    // not load stops the command before it prints anything; an unreachable server only after
    // the client's lines
    match sh.kubeconfig.connect(&Overrides::of(args)) {
        Ok(()) => {}
        Err(e @ super::kubeconfig::Unusable::Config(_)) => return e.into_output(),
        Err(e) => {
            let e = e.into_output();
            o.out(client);
            o.chunks.extend(e.chunks);
            o.code = e.code;
            return o;
        }
    }
    o.out(client);
    o.out("Server Version: v1.34.0\n");
    o
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parses a subcommand's flags, turning pflag errors into kubectl's message.
pub fn parse(args: &[String], specs: &[Flag], command: &str) -> Result<flags::Parsed, Output> {
    flags::parse(args, specs).map_err(|e| Output::fail(errors::flag_error(command, &e)))
}

/// `-n`, or the namespace of the context in use (`--context` or the current one; `default`
/// when it names none).
pub fn namespace(sh: &Shell, p: &flags::Parsed) -> String {
    if let Some(n) = p.get("namespace").filter(|n| !n.is_empty()) {
        return n.to_string();
    }
    if sh.in_default_namespace {
        return "default".into();
    }
    sh.kubeconfig.namespace(p.get("context")).to_string()
}

/// The resource builder's rule for a type argument followed by names (`visitByName`): the
/// names belong to one resource. A comma list (after `SplitResourceArgument` drops repeats)
/// or the category `all` names several.
pub fn single_resource(arg: &str) -> Result<&str, String> {
    let mut parts: Vec<&str> = Vec::new();
    for s in arg.split(',').filter(|s| !s.is_empty()) {
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    match parts.as_slice() {
        [one] if *one != "all" => Ok(one),
        [] => Ok(arg),
        _ => Err("error: you must specify only one resource".into()),
    }
}

/// Go's `strconv.Atoi` (a 64-bit int), with its error text; kubectl then converts with
/// `int32(…)`, which wraps, and leaves the range to the server's validation.
pub fn atoi_i32(s: &str) -> Result<i32, String> {
    use std::num::IntErrorKind;
    match s.parse::<i64>() {
        Ok(n) => Ok(n as i32),
        Err(e) => {
            let why = match e.kind() {
                IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
                _ => "invalid syntax",
            };
            Err(format!(
                "strconv.Atoi: parsing {}: {why}",
                crate::sim::field::go_quote(s)
            ))
        }
    }
}

/// A resource type as typed, or kubectl's error (the lab's own for a built-in type it does not
/// simulate: the server has those).
pub fn resolve_kind(name: &str) -> Result<Kind, String> {
    Kind::from_resource_name(name).ok_or_else(|| match super::builtin::unsimulated_resource(name) {
        Some(plural) => super::builtin::resource_message(plural),
        None => format!("error: the server doesn't have a resource type \"{name}\""),
    })
}
