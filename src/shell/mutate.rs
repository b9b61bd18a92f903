//! The kubectl commands that change the cluster: apply, create, run, expose, scale, label,
//! annotate, delete, patch, edit.

use super::flags::{flag, val, Flag, Parsed};
use super::kubectl::{namespace, parse, resolve_kind};
use super::manifest::{self, Manifest};
use super::{errors, EditRequest, Output, Shell};
use crate::sim::api::{ApiError, Reason};
use crate::sim::cluster::{ApplyResult, ObjKey, LAST_APPLIED};
use crate::sim::field::{go_quote, is_dns1123_subdomain, is_valid_label_value};
use crate::sim::object::{decode, DecodeError, Kind, Object};
use crate::sim::yaml;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Service};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An error as kubectl collects them while visiting objects.
enum CmdError {
    Api(ApiError),
    Plain(String),
}

fn report(out: &mut Output, errs: Vec<CmdError>) {
    if errs.is_empty() {
        return;
    }
    if errs.len() == 1 {
        let line = match &errs[0] {
            CmdError::Api(e) => errors::single(e),
            CmdError::Plain(s) => s.clone(),
        };
        out.err(format!("{line}\n"));
    } else {
        for e in &errs {
            let line = match e {
                CmdError::Api(e) => errors::standard(e),
                CmdError::Plain(s) => s.clone(),
            };
            out.err(format!("{line}\n"));
        }
    }
    out.code = 1;
}

/// kubectl apply's line for one object: `deployment.apps/web configured`.
fn applied_line(kind: Kind, name: &str, result: ApplyResult) -> String {
    let word = match result {
        ApplyResult::Created => "created",
        ApplyResult::Configured => "configured",
        ApplyResult::Unchanged => "unchanged",
    };
    format!("{}/{name} {word}\n", kind.lower_group_kind())
}

/// Reads `-f` files as kubectl's resource builder does (see `manifest::read`).
fn read_manifests(sh: &mut Shell, files: &[String], errs: &mut Vec<CmdError>) -> Vec<Manifest> {
    let mut out = Vec::new();
    let mut read_errs = Vec::new();
    for f in files {
        let text = match sh.read_file(f) {
            Ok(t) => t,
            // (no standard input is the lab's own message)
            Err(e) if f == "-" => {
                errs.push(CmdError::Plain(e));
                continue;
            }
            Err(e) => {
                errs.push(CmdError::Plain(format!("error: {e}")));
                continue;
            }
        };
        // kubectl names the standard input STDIN in what it prints
        let source = if f == "-" { "STDIN" } else { f.as_str() };
        out.extend(manifest::read(
            &mut sh.documents,
            source,
            &text,
            &mut read_errs,
        ));
        errs.extend(read_errs.drain(..).map(CmdError::Plain));
    }
    sh.documents.end_read();
    out
}

impl Shell {
    /// The objects a manifest text declares, as (kind, namespace, name); `None` when the text
    /// does not parse (the lab's editor then keeps every object it applied before).
    pub fn declared_objects(&mut self, text: &str) -> Option<Vec<(Kind, String, String)>> {
        let mut errs = Vec::new();
        let manifests = manifest::read(&mut self.documents, "manifest", text, &mut errs);
        self.documents.end_read();
        if !errs.is_empty() {
            return None;
        }
        Some(
            manifests
                .iter()
                .filter_map(|m| m.object.as_ref().ok())
                .map(|o| {
                    let ns = if !o.kind().namespaced() {
                        String::new()
                    } else if o.namespace().is_empty() {
                        "default".to_string()
                    } else {
                        o.namespace().to_string()
                    };
                    (o.kind(), ns, o.name().to_string())
                })
                .collect(),
        )
    }
}

fn decode_error(m: &Manifest, err: &DecodeError, verb: &str) -> CmdError {
    match err {
        DecodeError::MissingTypeInfo(msg) => CmdError::Plain(format!("error: unable to decode \"{}\": {msg}", m.source)),
        DecodeError::NoMatch { kind, version, name, namespace } => CmdError::Plain(
            super::builtin::kind_message(version, kind, name).unwrap_or_else(|| format!(
                "error: resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first",
                m.source
            )),
        ),
        DecodeError::UnknownFields { kind, fields } => {
            let list: Vec<String> = fields.iter().map(|f| format!("unknown field \"{f}\"")).collect();
            CmdError::Api(ApiError::bad_request(format!(
                "error when {verb} \"{}\": {} in version \"{}\" cannot be handled as a {}: strict decoding error: {}",
                m.source,
                kind.name(),
                kind.version(),
                kind.name(),
                list.join(", ")
            )))
        }
        DecodeError::Type { kind, message, .. } => CmdError::Api(ApiError::bad_request(format!(
            "error when {verb} \"{}\": {} in version \"{}\" cannot be handled as a {}: {}",
            m.source,
            kind.name(),
            kind.version(),
            kind.name(),
            message
        ))),
    }
}

fn check_namespace(p: &Parsed, obj: &Object) -> Option<CmdError> {
    let flag_ns = p.get("namespace")?;
    let obj_ns = obj.namespace();
    if obj.kind().namespaced() && !obj_ns.is_empty() && obj_ns != flag_ns {
        return Some(CmdError::Plain(format!(
            "error: the namespace from the provided object \"{obj_ns}\" does not match the namespace \"{flag_ns}\". You must pass '--namespace={obj_ns}' to perform this operation."
        )));
    }
    None
}

const APPLY_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("dry-run", None),
    val("output", Some('o')),
    flag("recursive", Some('R')),
    flag("server-side", None),
    val("validate", None),
    flag("force", None),
    flag("prune", None),
    val("field-manager", None),
];

#[inline(never)]
pub fn apply(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, APPLY_FLAGS, "kubectl apply") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let files = p.all("filename");
    if files.is_empty() {
        return Output::fail(errors::usage(
            "kubectl apply",
            "must specify one of -f and -k",
        ));
    }
    let dry = p
        .get("dry-run")
        .is_some_and(|d| d != "none" && d != "false");
    let mut out = Output::ok();
    let mut errs = Vec::new();
    let manifests = read_manifests(sh, &files, &mut errs);
    let mut errs_after: Vec<CmdError> = Vec::new();
    let mut applied = 0;
    // kubectl sends the objects one request after another, milliseconds apart; the controllers
    // and kubelets act on them after that (a container starts a second or so later), so a pod
    // of a Deployment sees the Services of the same apply in its environment
    let was_paused = std::mem::replace(&mut sh.cluster.reconciling, true);
    // what each apply sent, remembered with the resourceVersion the object has once the
    // controllers it woke have run (so the next apply of the same text is a no-op)
    let mut to_remember = Vec::new();
    for m in &manifests {
        let obj = match &m.object {
            Ok(o) => o,
            Err(e) => {
                let exists = exists_for(sh, &m.value, &p);
                errs_after.push(decode_error(
                    m,
                    e,
                    if exists { "patching" } else { "creating" },
                ));
                continue;
            }
        };
        if let Some(e) = check_namespace(&p, obj) {
            errs_after.push(e);
            continue;
        }
        // a namespaced object without one goes to `-n` or the default namespace
        let default_ns =
            (obj.kind().namespaced() && obj.namespace().is_empty()).then(|| namespace(sh, &p));
        // the same JSON as this object's last apply, and nobody changed the object since: the
        // three-way patch would be empty
        if !dry && !obj.name().is_empty() {
            let ns = default_ns.as_deref().unwrap_or(obj.namespace());
            let key = ObjKey::new(obj.kind(), ns, obj.name());
            if sh.cluster.apply_is_noop(&key, &m.value) {
                applied += 1;
                out.out(applied_line(key.kind, &key.name, ApplyResult::Unchanged));
                continue;
            }
        }
        let mut obj = obj.clone();
        let mut value = std::borrow::Cow::Borrowed(&*m.value);
        if let Some(ns) = default_ns {
            obj.meta_mut().namespace = Some(ns.clone());
            value.to_mut()["metadata"]["namespace"] = Value::String(ns);
        }
        let kind = obj.kind();
        let name = obj.name().to_string();
        // applyOneObject: apply needs the name it reconciles
        if name.is_empty() {
            if let Some(g) = obj
                .meta()
                .generate_name
                .as_deref()
                .filter(|g| !g.is_empty())
            {
                errs_after.push(CmdError::Plain(format!(
                    "error: from {g}: cannot use generate name with apply"
                )));
            } else {
                // the GET of an empty name, with the resource.Info kubectl describes it by
                errs_after.push(CmdError::Plain(format!(
                    "error: error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{}/{}, Kind={}\"\nName: \"\", Namespace: \"{}\"\nfrom server for: \"{}\": resource name may not be empty",
                    kind.gvr_string(),
                    kind.group(),
                    kind.version(),
                    kind.name(),
                    obj.namespace(),
                    m.source
                )));
            }
            continue;
        }
        if dry {
            let exists = sh.cluster.get(kind, obj.namespace(), &name).is_some();
            out.out(format!(
                "{}/{} {} (dry run)\n",
                kind.lower_group_kind(),
                name,
                if exists { "configured" } else { "created" }
            ));
            applied += 1;
            continue;
        }
        // whether it exists and carries kubectl's annotation (read without copying the object)
        let existing = sh.cluster.get(kind, obj.namespace(), &name).map(|cur| {
            cur.meta()
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(LAST_APPLIED))
        });
        if let Some(has) = existing {
            if !has && !sh.cluster_booted_node(kind, &name) {
                out.err(format!(
                    "Warning: resource {}/{} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
                    kind.group_resource(),
                    name
                ));
            }
        }
        match sh.cluster.apply(obj, &value) {
            Ok((key, r)) => {
                to_remember.push((key, Arc::clone(&m.value)));
                applied += 1;
                out.out(applied_line(kind, &name, r));
            }
            Err(e) => {
                let verb = if existing.is_some() {
                    "patching"
                } else {
                    "creating"
                };
                errs_after.push(CmdError::Api(errors::with_source(&e, verb, &m.source)));
            }
        }
    }
    sh.cluster.reconciling = was_paused;
    if !was_paused {
        sh.cluster.reconcile_now();
    }
    for (key, sent) in to_remember {
        sh.cluster.remember_apply(key, sent);
    }
    errs.extend(errs_after);
    if applied == 0 && errs.is_empty() {
        return Output::fail("error: no objects passed to apply");
    }
    report(&mut out, errs);
    out
}

fn exists_for(sh: &Shell, v: &Value, p: &Parsed) -> bool {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let Some(k) = Kind::from_api(api, kind) else {
        return false;
    };
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| namespace(sh, p));
    sh.cluster.get(k, &ns, name).is_some()
}

impl Shell {
    fn cluster_booted_node(&self, kind: Kind, name: &str) -> bool {
        kind == Kind::Node && self.cluster.booted_nodes_contains(name)
    }
}

const CREATE_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("image", None),
    val("replicas", Some('r')),
    val("port", None),
    val("tcp", None),
    val("node-port", None),
    val("clusterip", None),
    val("external-name", None),
    val("from-literal", None),
    val("dry-run", None),
    val("output", Some('o')),
    flag("save-config", None),
    val("validate", None),
];

#[inline(never)]
pub fn create(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, CREATE_FLAGS, "kubectl create") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let files = p.all("filename");
    if !files.is_empty() {
        let mut out = Output::ok();
        let mut errs = Vec::new();
        let manifests = read_manifests(sh, &files, &mut errs);
        for m in &manifests {
            let mut obj = match &m.object {
                Ok(o) => o.clone(),
                Err(e) => {
                    errs.push(decode_error(m, e, "creating"));
                    continue;
                }
            };
            if let Some(e) = check_namespace(&p, &obj) {
                errs.push(e);
                continue;
            }
            if obj.kind().namespaced() && obj.namespace().is_empty() {
                obj.meta_mut().namespace = Some(ns.clone());
            }
            if p.bool("save-config") {
                let mut v = (*m.value).clone();
                if obj.kind().namespaced() {
                    v["metadata"]["namespace"] = Value::String(obj.namespace().to_string());
                }
                obj.meta_mut()
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(
                        LAST_APPLIED.into(),
                        crate::sim::cluster::last_applied_annotation(&v),
                    );
            }
            let kind = obj.kind();
            match sh.cluster.create(obj) {
                Ok(o) => out.out(format!(
                    "{}/{} created\n",
                    kind.lower_group_kind(),
                    o.name()
                )),
                Err(e) => errs.push(CmdError::Api(errors::with_source(
                    &e, "creating", &m.source,
                ))),
            }
        }
        report(&mut out, errs);
        return out;
    }
    let Some(what) = p.args.first().map(String::as_str) else {
        return Output::fail(errors::usage(
            "kubectl create",
            "must specify one of -f and -k",
        ));
    };
    match what {
        "deployment" | "deploy" => create_deployment(sh, &p, &ns),
        "service" | "svc" => create_service(sh, &p, &ns),
        "namespace" | "ns" => {
            let Some(name) = p.args.get(1) else {
                return Output::fail(errors::usage(
                    "kubectl create namespace",
                    "exactly one NAME is required, got 0",
                ));
            };
            let value = json!({"metadata": {"name": name}});
            let obj: k8s_openapi::api::core::v1::Namespace =
                crate::sim::object::from_json(&value).unwrap_or_default();
            simple_create(sh, &p, Object::Namespace(obj), &value)
        }
        "configmap" | "cm" => {
            let Some(name) = p.args.get(1) else {
                return Output::fail(errors::usage(
                    "kubectl create configmap",
                    "exactly one NAME is required, got 0",
                ));
            };
            let mut data = BTreeMap::new();
            for lit in p.all("from-literal") {
                match lit.split_once('=') {
                    Some((k, v)) => {
                        data.insert(k.to_string(), v.to_string());
                    }
                    None => {
                        return Output::fail(format!(
                            "error: invalid literal source {lit}, expected key=value"
                        ))
                    }
                }
            }
            let value = json!({"metadata": {"name": name, "namespace": ns}, "data": data});
            let obj: k8s_openapi::api::core::v1::ConfigMap =
                crate::sim::object::from_json(&value).unwrap_or_default();
            simple_create(sh, &p, Object::ConfigMap(obj), &value)
        }
        other => Output::fail(format!(
            "error: unknown command \"{other}\" for \"kubectl create\""
        )),
    }
}

/// kubectl's `--dry-run` strategies (`GetDryRunStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DryRun {
    None,
    Client,
    Server,
}

fn dry_run_strategy(p: &Parsed, out: &mut Output) -> Result<DryRun, Output> {
    let Some(v) = p.get("dry-run") else {
        return Ok(DryRun::None);
    };
    Ok(match v {
        "client" => DryRun::Client,
        "server" => DryRun::Server,
        "none" => DryRun::None,
        // the flag alone (its NoOptDefVal), or a boolean: deprecated forms kubectl warns about
        "unchanged" => {
            out.err("--dry-run is deprecated and can be replaced with --dry-run=client.\n");
            DryRun::Client
        }
        "true" | "1" | "t" | "T" | "TRUE" | "True" => {
            out.err(format!("--dry-run={v} is deprecated (boolean value) and can be replaced with --dry-run=client.\n"));
            DryRun::Client
        }
        "false" | "0" | "f" | "F" | "FALSE" | "False" => {
            out.err(format!("--dry-run={v} is deprecated (boolean value) and can be replaced with --dry-run=none.\n"));
            DryRun::None
        }
        other => {
            return Err(Output::fail(format!(
            "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        )))
        }
    })
}

/// Removes JSON nulls, as Go omits nil fields.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// One object as `-o yaml|json|name` prints it, or the `created` line (with its dry-run note).
fn print_created(kind: Kind, name: &str, v: &Value, p: &Parsed, verb: &str, note: &str) -> Output {
    let mut out = Output::ok();
    match p.get("output").unwrap_or("") {
        "" => out.out(format!("{}/{name} {verb}{note}\n", kind.lower_group_kind())),
        "name" => out.out(format!("{}/{name}\n", kind.lower_group_kind())),
        "yaml" => out.out(crate::sim::yaml::to_yaml(v)),
        "json" => out.out(format!("{}\n", super::get::to_json_4(v))),
        other => {
            return Output::fail(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,yaml"
            ))
        }
    }
    out
}

/// Creates a generator's object, or under `--dry-run` only prints it — `client`: as kubectl
/// built it (Go's marshalling: the namespace only when `-n` named it, empty structs as `{}`),
/// `server`: as the apiserver would have stored it. The apiserver's refusal is the caller's to
/// word (each generator frames it its own way).
fn create_generated(
    sh: &mut Shell,
    p: &Parsed,
    obj: Object,
    generated: &Value,
    verb: &str,
) -> Result<Output, ApiError> {
    if let Some(r) = dry_run_output(sh, p, &obj, generated, verb) {
        return r;
    }
    let kind = obj.kind();
    let created = sh.cluster.create(obj)?;
    Ok(print_created(
        kind,
        created.name(),
        &created.to_value(),
        p,
        verb,
        "",
    ))
}

fn dry_run_output(
    sh: &Shell,
    p: &Parsed,
    obj: &Object,
    generated: &Value,
    verb: &str,
) -> Option<Result<Output, ApiError>> {
    let mut warn = Output::ok();
    let mode = match dry_run_strategy(p, &mut warn) {
        Ok(m) => m,
        Err(o) => return Some(Ok(o)),
    };
    let kind = obj.kind();
    let name = obj.name().to_string();
    let mut out = match mode {
        DryRun::None => return None,
        DryRun::Client => {
            let mut v = without_nulls(generated.clone());
            v["apiVersion"] = Value::String(kind.api_version());
            v["kind"] = Value::String(kind.name().into());
            if !p.has("namespace") {
                if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("namespace");
                }
            }
            match kind {
                Kind::Service => v["status"] = json!({"loadBalancer": {}}),
                Kind::Deployment | Kind::Pod => v["status"] = json!({}),
                Kind::Namespace => {
                    v["spec"] = json!({});
                    v["status"] = json!({});
                }
                _ => {}
            }
            print_created(kind, &name, &v, p, verb, " (dry run)")
        }
        DryRun::Server => {
            // the apiserver's answer to a dry-run create: admitted and defaulted, never seen
            // by a controller
            let mut c = sh.cluster.clone();
            match c.with_controllers_paused(|c| c.create(obj.clone())) {
                Ok(created) => {
                    let mut v = created.to_value();
                    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                        m.remove("resourceVersion");
                    }
                    // a status no controller has written yet is Go's empty struct
                    if matches!(kind, Kind::Deployment | Kind::Pod | Kind::Namespace)
                        && v.get("status").is_none()
                    {
                        v["status"] = json!({});
                    }
                    print_created(kind, &name, &v, p, verb, " (server dry run)")
                }
                Err(e) => return Some(Err(e)),
            }
        }
    };
    warn.append(std::mem::take(&mut out));
    Some(Ok(warn))
}

fn simple_create(sh: &mut Shell, p: &Parsed, obj: Object, generated: &Value) -> Output {
    create_generated(sh, p, obj, generated, "created")
        .unwrap_or_else(|e| Output::fail(errors::single(&e)))
}

/// The container name `kubectl create deployment` derives from an image.
fn container_name_for(image: &str, rng_suffix: &mut dyn FnMut() -> String) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let name = last.split(':').next().unwrap_or(last);
    if name.contains('_') || name.contains('.') {
        format!("{}-{}", name.replace(['_', '.'], "-"), rng_suffix())
    } else {
        name.to_string()
    }
}

fn create_deployment(sh: &mut Shell, p: &Parsed, ns: &str) -> Output {
    let Some(name) = p.args.get(1) else {
        return Output::fail(errors::usage(
            "kubectl create deployment",
            "exactly one NAME is required, got 0",
        ));
    };
    let images = p.all("image");
    if images.is_empty() {
        return Output::fail("error: required flag(s) \"image\" not set");
    }
    let replicas: i32 = match p.get("replicas").map(str::parse) {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            return Output::fail(format!(
                "error: invalid argument \"{}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{}\": invalid syntax\nSee 'kubectl create deployment --help' for usage.",
                p.get("replicas").unwrap_or(""),
                p.get("replicas").unwrap_or("")
            ))
        }
    };
    let port: Option<i32> = match p.get("port").map(str::parse::<i32>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return Output::fail("error: invalid argument for \"--port\" flag"),
    };
    let mut containers = Vec::new();
    for (i, image) in images.iter().enumerate() {
        let rng = &mut sh.cluster;
        let mut suffix = || rng.random_suffix();
        let cname = container_name_for(image, &mut suffix);
        let mut c = json!({"name": cname, "image": image, "resources": {}});
        if i == 0 {
            if let Some(port) = port {
                c["ports"] = json!([{"containerPort": port}]);
            }
        }
        containers.push(c);
    }
    let value = json!({
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "strategy": {}, "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}}
    });
    let d: Deployment = match crate::sim::object::from_json(&value) {
        Ok(d) => d,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    match create_generated(sh, p, Object::Deployment(Box::new(d)), &value, "created") {
        Ok(out) => out,
        Err(e) if e.reason == Reason::AlreadyExists => {
            Output::fail(format!("error: failed to create deployment: {}", e.message))
        }
        Err(e) => Output::fail(errors::single(&e)),
    }
}

fn create_service(sh: &mut Shell, p: &Parsed, ns: &str) -> Output {
    let Some(ty) = p.args.get(1).map(String::as_str) else {
        return Output::fail(
            "error: must specify one of clusterip, externalname, loadbalancer, nodeport",
        );
    };
    let (svc_type, cmd) = match ty {
        "clusterip" => ("ClusterIP", "kubectl create service clusterip"),
        "nodeport" => ("NodePort", "kubectl create service nodeport"),
        "loadbalancer" => ("LoadBalancer", "kubectl create service loadbalancer"),
        "externalname" => ("ExternalName", "kubectl create service externalname"),
        other => {
            return Output::fail(format!(
                "error: unknown command \"{other}\" for \"kubectl create service\""
            ))
        }
    };
    let Some(name) = p.args.get(2) else {
        return Output::fail(errors::usage(cmd, "exactly one NAME is required, got 0"));
    };
    let mut spec = json!({"type": svc_type});
    if svc_type == "ExternalName" {
        let Some(en) = p.get("external-name") else {
            return Output::fail("error: required flag(s) \"external-name\" not set");
        };
        if !is_dns1123_subdomain(en).is_empty() {
            return Output::fail(format!("error: invalid service external name {en}"));
        }
        spec["externalName"] = json!(en);
    } else {
        let tcp = p.all("tcp");
        let cip = p.get("clusterip").unwrap_or("");
        if tcp.is_empty() && !(svc_type == "ClusterIP" && cip == "None") {
            return Output::fail(errors::usage(
                cmd,
                "at least one tcp port specifier must be provided",
            ));
        }
        if cip == "None" && svc_type != "ClusterIP" {
            return Output::fail(
                "error: ClusterIP=None can only be used with ClusterIP service type",
            );
        }
        let node_port: Option<i32> = p.get("node-port").and_then(|n| n.parse().ok());
        let mut ports = Vec::new();
        for t in tcp
            .iter()
            .flat_map(|t| t.split(',').map(str::to_string).collect::<Vec<_>>())
        {
            let (port_s, target) = match t.split_once(':') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => (t.clone(), t.clone()),
            };
            let port = match super::kubectl::atoi_i32(&port_s) {
                Ok(p) => p,
                Err(e) => return Output::fail(format!("error: {e}")),
            };
            let target_v = match target.parse::<i32>() {
                Ok(n) => json!(n),
                Err(_) => {
                    if !crate::sim::field::is_valid_port_name(&target).is_empty() {
                        return Output::fail(format!("error: invalid target port name {target}"));
                    }
                    json!(target)
                }
            };
            let mut entry = json!({"name": t.replace(':', "-"), "port": port, "protocol": "TCP", "targetPort": target_v});
            if let Some(np) = node_port {
                entry["nodePort"] = json!(np);
            }
            ports.push(entry);
        }
        spec["ports"] = Value::Array(ports);
        spec["selector"] = json!({"app": name});
        if !cip.is_empty() {
            spec["clusterIP"] = json!(cip);
        }
    }
    let value =
        json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": name}}, "spec": spec});
    let svc: Service = match crate::sim::object::from_json(&value) {
        Ok(s) => s,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    match create_generated(sh, p, Object::Service(Box::new(svc)), &value, "created") {
        Ok(out) => out,
        Err(e) if e.reason == Reason::AlreadyExists => Output::fail(format!(
            "error: failed to create {svc_type} service: {}",
            e.message
        )),
        Err(e) => Output::fail(errors::single(&e)),
    }
}

const RUN_FLAGS: &[Flag] = &[
    val("image", None),
    val("port", None),
    val("labels", Some('l')),
    flag("expose", None),
    val("env", None),
    val("restart", None),
    flag("command", None),
    flag("stdin", Some('i')),
    flag("tty", Some('t')),
    flag("rm", None),
    val("dry-run", None),
    val("output", Some('o')),
    val("image-pull-policy", None),
    val("annotations", None),
    val("overrides", None),
    flag("attach", None),
    flag("quiet", Some('q')),
];

fn parse_labels_flag(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut m = BTreeMap::new();
    for part in s.split(',').filter(|x| !x.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(format!("error: invalid label spec: {part}"));
        };
        m.insert(k.to_string(), v.to_string());
    }
    Ok(m)
}

#[inline(never)]
pub fn run_pod(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, RUN_FLAGS, "kubectl run") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let Some(name) = p.args.first().cloned() else {
        return Output::fail(errors::usage("kubectl run", "NAME is required for run"));
    };
    let Some(image) = p.get("image").map(str::to_string) else {
        return Output::fail("error: required flag(s) \"image\" not set");
    };
    let port: Option<i32> = p.get("port").and_then(|x| x.parse().ok());
    if p.bool("expose") && port.is_none() {
        return Output::fail(errors::usage(
            "kubectl run",
            "--port must be set when exposing a service",
        ));
    }
    let labels = match p.get("labels") {
        Some(l) => match parse_labels_flag(l) {
            Ok(m) => m,
            Err(e) => return Output::fail(e),
        },
        None => [("run".to_string(), name.clone())].into_iter().collect(),
    };
    let mut container = json!({"name": name, "image": image, "resources": {}});
    if let Some(port) = port {
        container["ports"] = json!([{"containerPort": port}]);
    }
    let env: Vec<Value> = p
        .all("env")
        .iter()
        .filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| json!({"name": k, "value": v}))
        })
        .collect();
    if !env.is_empty() {
        container["env"] = Value::Array(env);
    }
    if let Some(rest) = &p.rest {
        if p.bool("command") {
            container["command"] = json!(rest);
        } else if !rest.is_empty() {
            container["args"] = json!(rest);
        }
    }
    if p.bool("stdin") {
        container["stdin"] = json!(true);
        container["stdinOnce"] = json!(true);
    }
    if p.bool("tty") {
        container["tty"] = json!(true);
    }
    let restart = p.get("restart").unwrap_or("Always").to_string();
    if !matches!(restart.as_str(), "Always" | "OnFailure" | "Never") {
        return Output::fail(format!("error: invalid restart policy: {restart}"));
    }
    let value = json!({
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"containers": [container], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"}
    });
    let pod: Pod = match crate::sim::object::from_json(&value) {
        Ok(p) => p,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    let obj = Object::Pod(Box::new(pod));
    if let Some(r) = dry_run_output(sh, &p, &obj, &value, "created") {
        return r.unwrap_or_else(|e| Output::fail(errors::single(&e)));
    }
    let mut out = Output::ok();
    match sh.cluster.create(obj) {
        Ok(created) if p.has("output") && !p.bool("stdin") && !p.bool("attach") => {
            return print_created(Kind::Pod, &name, &created.to_value(), &p, "created", "");
        }
        Ok(_) => {}
        Err(e) => return Output::fail(errors::single(&e)),
    }
    if p.bool("expose") {
        let svc: Service = crate::sim::object::from_json(&json!({
            "metadata": {"name": name, "namespace": ns, "labels": p.get("labels").map(|l| parse_labels_flag(l).unwrap_or_default())},
            "spec": {"selector": labels, "ports": [{"port": port, "targetPort": port, "protocol": "TCP"}]}
        }))
        .unwrap_or_default();
        match sh.cluster.create(Object::Service(Box::new(svc))) {
            Ok(_) => out.out(format!("service/{name} created\n")),
            Err(e) => {
                out.err(format!("{}\n", errors::single(&e)));
                out.code = 1;
            }
        }
    }
    let attach = p.bool("stdin") || p.bool("attach");
    let command = p.rest.clone().filter(|r| !r.is_empty());
    let (true, Some(command)) = (attach, command) else {
        out.out(format!("pod/{name} created\n"));
        return out;
    };
    // RunRun attaching: no "created" line; attach's prompt lines, the process's output, the
    // reattach hint for a pod that restarts, then --rm's deletion and a failed run's status
    let tty = p.bool("tty") && p.bool("stdin");
    if !p.bool("quiet") {
        out.err("All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\nIf you don't see a command prompt, try pressing enter.\n");
    }
    let r = super::pod_exec::run_attached(sh, &ns, &name, &command, tty);
    let rc = r.code;
    out.append(r);
    out.code = 0;
    if tty && restart == "Always" && !p.bool("quiet") {
        out.out(format!(
            "Session ended, resume using 'kubectl attach {name} -c {name} -i -t' command when the pod is running\n"
        ));
    }
    if p.bool("rm") {
        let _ = sh.cluster.delete(Kind::Pod, &ns, &name, Some(0));
        out.out(format!("pod \"{name}\" deleted from {ns} namespace\n"));
    }
    if restart != "Always" && rc != 0 {
        out.err(format!("pod {ns}/{name} terminated (Error)\n"));
        out.code = rc;
    }
    out
}

const EXPOSE_FLAGS: &[Flag] = &[
    val("port", None),
    val("target-port", None),
    val("type", None),
    val("name", None),
    val("protocol", None),
    val("external-ip", None),
    val("session-affinity", None),
    val("cluster-ip", None),
    val("selector", None),
    val("labels", Some('l')),
    val("load-balancer-ip", None),
    val("filename", Some('f')),
    val("dry-run", None),
    val("output", Some('o')),
    val("override-type", None),
    val("overrides", None),
];

fn target(p: &Parsed, cmd: &str) -> Result<(Kind, String), Output> {
    let first = p.args.first().ok_or_else(|| {
        Output::fail(errors::usage(
            cmd,
            "You must provide one or more resources by argument or filename.",
        ))
    })?;
    if let Some((t, n)) = first.split_once('/') {
        return Ok((resolve_kind(t).map_err(Output::fail)?, n.to_string()));
    }
    let name = p.args.get(1).ok_or_else(|| {
        Output::fail("error: resource(s) were provided, but no name was specified")
    })?;
    let t = super::kubectl::single_resource(first).map_err(Output::fail)?;
    let kind = resolve_kind(t).map_err(Output::fail)?;
    Ok((kind, name.clone()))
}

#[inline(never)]
pub fn expose(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, EXPOSE_FLAGS, "kubectl expose") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let (kind, name) = match target(&p, "kubectl expose") {
        Ok(t) => t,
        Err(o) => return o,
    };
    let Some(obj) = sh.cluster.get(kind, &ns, &name).cloned() else {
        return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
    };
    // selector
    let selector: BTreeMap<String, String> = match p.get("selector") {
        Some(s) => match parse_labels_flag(s) {
            Ok(m) => m,
            Err(_) => return Output::fail(format!("error: couldn't retrieve selectors via --selector flag or introspection: {s} is not a valid equality-based selector")),
        },
        None => match &obj {
            Object::Deployment(d) => {
                let sel = d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default();
                if sel.match_expressions.as_ref().is_some_and(|e| !e.is_empty()) {
                    return Output::fail(format!(
                        "error: couldn't retrieve selectors via --selector flag or introspection: couldn't convert expressions - \"{:?}\" to map-based selector format",
                        sel.match_expressions
                    ));
                }
                let m = sel.match_labels.unwrap_or_default();
                if m.is_empty() {
                    return Output::fail("error: couldn't retrieve selectors via --selector flag or introspection: invalid deployment: no selectors, therefore cannot be exposed");
                }
                m
            }
            Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.selector.match_labels.clone()).unwrap_or_default(),
            Object::Pod(pd) => {
                let l = pd.metadata.labels.clone().unwrap_or_default();
                if l.is_empty() {
                    return Output::fail("error: couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed");
                }
                l
            }
            Object::Service(s) => s.spec.as_ref().and_then(|sp| sp.selector.clone()).unwrap_or_default(),
            other => return Output::fail(format!("error: cannot expose a {}", other.kind().group_kind())),
        },
    };
    // ports and protocols from the object
    let container_ports: Vec<(i32, String)> = match &obj {
        Object::Deployment(d) => ports_of(d.spec.as_ref().and_then(|s| s.template.spec.clone())),
        Object::ReplicaSet(r) => ports_of(
            r.spec
                .as_ref()
                .and_then(|s| s.template.clone())
                .and_then(|t| t.spec),
        ),
        Object::Pod(pd) => ports_of(pd.spec.clone()),
        Object::Service(s) => s
            .spec
            .as_ref()
            .and_then(|sp| sp.ports.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|pt| (pt.port, pt.protocol.unwrap_or_else(|| "TCP".into())))
            .collect(),
        _ => Vec::new(),
    };
    let protocol_flag = p.get("protocol").map(str::to_string);
    let mut ports: Vec<Value> = Vec::new();
    let port_specs: Vec<(i32, String)> = match p.get("port") {
        Some(ps) => {
            let mut v = Vec::new();
            for x in ps.split(',') {
                match super::kubectl::atoi_i32(x) {
                    Ok(n) => v.push((n, protocol_flag.clone().unwrap_or_else(|| "TCP".into()))),
                    Err(e) => return Output::fail(format!("error: {e}")),
                }
            }
            v
        }
        None => {
            // deduplicated by number, each protocol kept
            let mut v: Vec<(i32, String)> = Vec::new();
            for (n, proto) in &container_ports {
                let proto = protocol_flag.clone().unwrap_or_else(|| proto.clone());
                if !v.iter().any(|(m, pr)| m == n && *pr == proto) {
                    v.push((*n, proto));
                }
            }
            v
        }
    };
    let headless = p.get("cluster-ip") == Some("None");
    if port_specs.is_empty() && !headless {
        return Output::fail("error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples");
    }
    let multi = port_specs.len() > 1;
    for (i, (port, proto)) in port_specs.iter().enumerate() {
        let same_number = port_specs.iter().filter(|(n, _)| n == port).count() > 1;
        let mut entry = json!({"port": port, "protocol": proto});
        if multi {
            entry["name"] = if same_number {
                json!(format!("port-{}-{}", i + 1, proto.to_ascii_lowercase()))
            } else {
                json!(format!("port-{}", i + 1))
            };
        }
        entry["targetPort"] = match p.get("target-port") {
            Some(t) => match t.parse::<i32>() {
                Ok(n) => json!(n),
                Err(_) => json!(t),
            },
            None => json!(port),
        };
        ports.push(entry);
    }
    let svc_name = p
        .get("name")
        .map(str::to_string)
        .unwrap_or_else(|| name.chars().take(63).collect());
    let labels = match p.get("labels") {
        Some(l) => match parse_labels_flag(l) {
            Ok(m) => Some(m),
            Err(e) => return Output::fail(e),
        },
        None => obj.meta().labels.clone(),
    };
    let mut spec = json!({"selector": selector, "ports": ports});
    if let Some(t) = p.get("type") {
        spec["type"] = json!(t);
    }
    if let Some(ip) = p.get("external-ip") {
        spec["externalIPs"] = json!([ip]);
    }
    if let Some(a) = p.get("session-affinity") {
        if a != "None" && a != "ClientIP" {
            return Output::fail(format!("error: unknown session affinity: {a}"));
        }
        spec["sessionAffinity"] = json!(a);
    }
    if let Some(c) = p.get("cluster-ip") {
        spec["clusterIP"] = json!(c);
    }
    if let Some(lb) = p.get("load-balancer-ip") {
        spec["loadBalancerIP"] = json!(lb);
    }
    let value =
        json!({"metadata": {"name": svc_name, "namespace": ns, "labels": labels}, "spec": spec});
    let svc: Service = match crate::sim::object::from_json(&value) {
        Ok(s) => s,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    create_generated(sh, &p, Object::Service(Box::new(svc)), &value, "exposed")
        .unwrap_or_else(|e| Output::fail(errors::single(&e)))
}

fn ports_of(spec: Option<k8s_openapi::api::core::v1::PodSpec>) -> Vec<(i32, String)> {
    spec.map(|s| s.containers)
        .unwrap_or_default()
        .iter()
        .flat_map(|c| c.ports.clone().unwrap_or_default())
        .map(|p| (p.container_port, p.protocol.unwrap_or_else(|| "TCP".into())))
        .collect()
}

#[inline(never)]
pub fn scale(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            val("replicas", None),
            val("current-replicas", None),
            val("filename", Some('f')),
        ],
        "kubectl scale",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let Some(r) = p.get("replicas") else {
        return Output::fail("error: required flag(s) \"replicas\" not set");
    };
    let Ok(replicas) = r.parse::<i32>() else {
        return Output::fail(format!("error: invalid argument \"{r}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax\nSee 'kubectl scale --help' for usage."));
    };
    if replicas < 0 {
        return Output::fail(errors::usage(
            "kubectl scale",
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        ));
    }
    // --current-replicas: the ScalePrecondition (-1, its default, checks nothing)
    let current = match p.get("current-replicas").map(str::parse::<i64>) {
        None => -1,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            let v = p.get("current-replicas").unwrap_or_default();
            return Output::fail(format!("error: invalid argument \"{v}\" for \"--current-replicas\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl scale --help' for usage."));
        }
    };
    let (kind, name) = match target(&p, "kubectl scale") {
        Ok(t) => t,
        Err(o) => return o,
    };
    let Some(obj) = sh.cluster.get(kind, &ns, &name).cloned() else {
        // v1.34 wraps the lookup's error (kubectl v1.35 prints it as other commands do)
        return Output::fail(format!(
            "error: no objects passed to scale {}",
            ApiError::not_found(kind, &name).message
        ));
    };
    let actual = match &obj {
        Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
        Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.replicas),
        _ => None,
    };
    if let Some(actual) = actual.filter(|a| current != -1 && i64::from(*a) != current) {
        return Output::fail(format!(
            "error: Expected replicas to be {current}, was {actual}"
        ));
    }
    let updated = match obj {
        Object::Deployment(mut d) => {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
            Object::Deployment(d)
        }
        Object::ReplicaSet(mut r) => {
            r.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
            Object::ReplicaSet(r)
        }
        other => {
            return Output::fail(format!(
                "error: no scaler has been implemented for {{\"{}\" \"{}\"}}",
                other.kind().group(),
                other.kind().name()
            ))
        }
    };
    match sh.cluster.update(updated) {
        Ok(_) => {
            let mut out = Output::ok();
            out.out(format!("{}/{name} scaled\n", kind.lower_group_kind()));
            out
        }
        Err(e) => Output::fail(errors::single(&e)),
    }
}

#[inline(never)]
pub fn label(sh: &mut Shell, args: &[String], annotate: bool) -> Output {
    let cmd = if annotate {
        "kubectl annotate"
    } else {
        "kubectl label"
    };
    let p = match parse(
        args,
        &[
            flag("overwrite", None),
            flag("all", None),
            val("selector", Some('l')),
            flag("list", None),
            val("dry-run", None),
        ],
        cmd,
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let what = if annotate { "annotation" } else { "label" };
    // kubectl's Complete: resources first, then changes (GetResourcesAndPairs), then the pairs
    let (res, changes) = match resources_and_pairs(&p.args, what) {
        Ok(v) => v,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    let parsed = if annotate {
        annotation_pairs(changes)
    } else {
        label_pairs(changes)
    };
    let (sets, removes) = match parsed {
        Ok(v) => v,
        Err(e) => return Output::fail(format!("error: {e}")),
    };
    // and its Validate
    if p.bool("all") && p.has("selector") {
        return Output::fail("error: cannot set --all and --selector at the same time");
    }
    if res.is_empty() {
        return Output::fail(
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
        );
    }
    if sets.is_empty() && removes.is_empty() && !p.bool("list") {
        return Output::fail(format!("error: at least one {what} update is required"));
    }
    let targets: Vec<(Kind, String)> = if res.len() == 1 && res[0].contains('/') {
        match res[0]
            .split_once('/')
            .map(|(t, n)| resolve_kind(t).map(|k| (k, n.to_string())))
        {
            Some(Ok(t)) => vec![t],
            Some(Err(e)) => return Output::fail(e),
            None => Vec::new(),
        }
    } else {
        let t = if res.len() > 1 {
            match super::kubectl::single_resource(&res[0]) {
                Ok(t) => t,
                Err(e) => return Output::fail(e),
            }
        } else {
            res[0].as_str()
        };
        let kind = match resolve_kind(t) {
            Ok(k) => k,
            Err(e) => return Output::fail(e),
        };
        if p.bool("all") || p.has("selector") {
            let sel = p.get("selector").map(crate::sim::labels::parse).transpose();
            let Ok(sel) = sel else {
                return Output::fail("error: invalid selector");
            };
            sh.cluster
                .list(kind, Some(&ns))
                .into_iter()
                .filter(|o| {
                    sel.as_ref()
                        .is_none_or(|s| s.matches(&o.meta().labels.clone().unwrap_or_default()))
                })
                .map(|o| (kind, o.name().to_string()))
                .collect()
        } else {
            res[1..].iter().map(|n| (kind, n.clone())).collect()
        }
    };
    // --list prints the result instead of writing it; one named object prints bare lines
    let list = p.bool("list");
    let one = targets.len() == 1 && !(p.bool("all") || p.has("selector"));
    let mut out = Output::ok();
    for (kind, name) in targets {
        let Some(mut obj) = sh.cluster.get(kind, &ns, &name).cloned() else {
            out.err(format!(
                "{}\n",
                errors::single(&ApiError::not_found(kind, &name))
            ));
            out.code = 1;
            continue;
        };
        let m = obj.meta_mut();
        let map = if annotate {
            m.annotations.get_or_insert_with(Default::default)
        } else {
            m.labels.get_or_insert_with(Default::default)
        };
        let before = map.clone();
        if !annotate && !list {
            for k in removes.iter().filter(|k| !before.contains_key(*k)) {
                out.out(format!("label {} not found.\n", go_quote(k)));
            }
        }
        // validateNoOverwrites / validateNoAnnotationOverwrites (the change-cause annotation
        // can always be overwritten)
        let clashes: Vec<String> = sets
            .iter()
            .filter(|(k, _)| !(annotate && k == "kubernetes.io/change-cause"))
            .filter_map(|(k, v)| map.get(k).filter(|old| *old != v).map(|old| (k, old)))
            .map(|(k, old)| {
                if annotate {
                    format!("'{k}' already has a value ({old})")
                } else {
                    format!("'{k}' already has a value ({old}), and --overwrite is false")
                }
            })
            .collect();
        if !clashes.is_empty() && !p.bool("overwrite") {
            // the visitor goes on with the other objects (ContinueOnError)
            out.code = 1;
            out.err(if annotate {
                format!(
                    "error: --overwrite is false but found the following declared annotation(s): {}",
                    clashes.join("; ")
                )
            } else if clashes.len() == 1 {
                format!("error: {}", clashes[0])
            } else {
                // an aggregate of several errors prints as a list
                format!("error: [{}]", clashes.join(", "))
            } + "\n");
            continue;
        }
        for (k, v) in &sets {
            map.insert(k.clone(), v.clone());
        }
        for k in &removes {
            map.remove(k);
        }
        if list {
            if !one {
                out.out(format!(
                    "Listing {what}s for {}.{}/{name}:\n",
                    kind.name(),
                    kind.group()
                ));
            }
            let indent = if one { "" } else { " " };
            for (k, v) in map.iter() {
                out.out(format!("{indent}{k}={v}\n"));
            }
            continue;
        }
        let changed = *map != before;
        // updateDataChangeMsg: keys gone, and keys added or given a new value
        let unlabeled = before.keys().any(|k| !map.contains_key(k));
        let labeled = map.iter().any(|(k, v)| before.get(k) != Some(v));
        if map.is_empty() {
            if annotate {
                m.annotations = None;
            } else {
                m.labels = None;
            }
        }
        let verb = match (annotate, labeled, unlabeled) {
            (true, _, _) => "annotated",
            (false, true, true) => "label(s) changed",
            (false, true, false) => "labeled",
            (false, false, true) => "unlabeled",
            (false, false, false) => "not labeled",
        };
        if changed {
            if let Err(e) = sh.cluster.update(obj) {
                out.err(format!("{}\n", errors::single(&e)));
                out.code = 1;
                continue;
            }
        }
        out.out(format!("{}/{name} {verb}\n", kind.lower_group_kind()));
    }
    out
}

/// kubectl's `GetResourcesAndPairs`: the arguments up to the first `KEY=VALUE` or `KEY-` name
/// resources, the rest are changes; a resource after a change is an error.
fn resources_and_pairs<'a>(
    args: &'a [String],
    what: &str,
) -> Result<(&'a [String], &'a [String]), String> {
    let is_pair =
        |s: &str| (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
    let split = args.iter().position(|a| is_pair(a)).unwrap_or(args.len());
    if let Some(r) = args[split..].iter().find(|a| !is_pair(a)) {
        return Err(format!(
            "all resources must be specified before {what} changes: {r}"
        ));
    }
    Ok(args.split_at(split))
}

type Pairs = (Vec<(String, String)>, Vec<String>);

/// kubectl label's `parseLabels`: the value is checked here, the key by the API server.
fn label_pairs(changes: &[String]) -> Result<Pairs, String> {
    let (mut sets, mut removes): Pairs = Default::default();
    for c in changes {
        if c.contains('=') {
            let parts: Vec<&str> = c.split('=').collect();
            if parts.len() != 2 {
                return Err(format!("invalid label spec: {c}"));
            }
            let errs = is_valid_label_value(parts[1]);
            if !errs.is_empty() {
                return Err(format!(
                    "invalid label value: {}: {}",
                    go_quote(c),
                    errs.join(";")
                ));
            }
            // a key given twice keeps its last value (a Go map)
            sets.retain(|(k, _)| k != parts[0]);
            sets.push((parts[0].to_string(), parts[1].to_string()));
        } else if let Some(k) = c.strip_suffix('-') {
            removes.push(k.to_string());
        } else {
            return Err(format!("unknown label spec: {c}"));
        }
    }
    if removes.iter().any(|r| sets.iter().any(|(k, _)| k == r)) {
        return Err("can not both modify and remove a label in the same command".into());
    }
    Ok((sets, removes))
}

/// kubectl annotate's `ParsePairs` and `validateAnnotations`.
fn annotation_pairs(changes: &[String]) -> Result<Pairs, String> {
    let (mut sets, mut removes): Pairs = Default::default();
    let mut invalid = Vec::new();
    for c in changes {
        match c.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                sets.retain(|(key, _)| key != k);
                sets.push((k.to_string(), v.to_string()));
            }
            _ => match c.strip_suffix('-').filter(|_| c != "-") {
                Some(k) => removes.push(k.to_string()),
                None => invalid.push(c.as_str()),
            },
        }
    }
    if !invalid.is_empty() {
        return Err(format!("invalid annotation format: {}", invalid.join(", ")));
    }
    let both: Vec<&str> = removes
        .iter()
        .filter(|r| sets.iter().any(|(k, _)| k == *r))
        .map(String::as_str)
        .collect();
    if !both.is_empty() {
        return Err(format!(
            "can not both modify and remove the following annotation(s) in the same command: {}",
            both.join(", ")
        ));
    }
    Ok((sets, removes))
}

const DELETE_FLAGS: &[Flag] = &[
    val("filename", Some('f')),
    val("selector", Some('l')),
    val("field-selector", None),
    flag("all", None),
    flag("all-namespaces", Some('A')),
    val("grace-period", None),
    flag("force", None),
    flag("now", None),
    val("wait", None),
    val("cascade", None),
    flag("ignore-not-found", None),
    val("output", Some('o')),
    val("timeout", None),
];

#[inline(never)]
pub fn delete(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, DELETE_FLAGS, "kubectl delete") {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let mut grace: Option<i64> = match p.get("grace-period").map(str::parse::<i64>) {
        None => None,
        Some(Ok(g)) if g < 0 => None,
        Some(Ok(g)) => Some(g),
        Some(Err(_)) => return Output::fail("error: invalid argument for \"--grace-period\" flag"),
    };
    if p.bool("now") {
        grace = Some(1);
    }
    let force = p.bool("force");
    if force && grace.is_none() {
        grace = Some(0);
    }
    let wait = p.get("wait").is_none_or(|w| w != "false");
    let mut out = Output::ok();
    if force && grace == Some(0) {
        out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    // (kind, namespace, name, the file it came from: `AddSourceToErr` names it in errors)
    let mut targets: Vec<(Kind, String, String, Option<String>)> = Vec::new();
    let mut errs: Vec<CmdError> = Vec::new();
    let files = p.all("filename");
    if !files.is_empty() {
        for m in read_manifests(sh, &files, &mut errs) {
            match &m.object {
                Ok(o) => {
                    let o_ns = if o.namespace().is_empty() {
                        ns.clone()
                    } else {
                        o.namespace().to_string()
                    };
                    targets.push((o.kind(), o_ns, o.name().to_string(), Some(m.source.clone())));
                }
                Err(e) => errs.push(decode_error(&m, e, "deleting")),
            }
        }
    } else if p.args.is_empty() {
        return Output::fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    } else if p.args[0].contains('/') {
        for a in &p.args {
            let Some((t, n)) = a.split_once('/') else {
                return Output::fail("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form");
            };
            match resolve_kind(t) {
                Ok(k) => targets.push((k, ns.clone(), n.to_string(), None)),
                Err(e) => return Output::fail(e),
            }
        }
    } else {
        let kinds: Result<Vec<Kind>, String> = p.args[0].split(',').map(resolve_kind).collect();
        let kinds = match kinds {
            Ok(k) => k,
            Err(e) => return Output::fail(e),
        };
        let names = &p.args[1..];
        if !names.is_empty() {
            if let Err(e) = super::kubectl::single_resource(&p.args[0]) {
                return Output::fail(e);
            }
        }
        if names.is_empty() {
            if !p.bool("all") && !p.has("selector") && !p.has("field-selector") {
                return Output::fail("error: resource(s) were provided, but no name was specified");
            }
            for kind in kinds {
                match super::get::select_flagged(sh, kind, &p) {
                    Ok(objs) => targets
                        .extend(objs.into_iter().map(|o| {
                            (kind, o.namespace().to_string(), o.name().to_string(), None)
                        })),
                    Err(e) => return Output::fail(e),
                }
            }
            if targets.is_empty() {
                out.err(
                    "No resources found
",
                );
                return out;
            }
        } else {
            for n in names {
                for &kind in &kinds {
                    targets.push((kind, ns.clone(), n.clone(), None));
                }
            }
        }
    }
    let mut deleted_pods: Vec<(String, String, String)> = Vec::new();
    for (kind, o_ns, name, source) in targets {
        match sh.cluster.delete(kind, &o_ns, &name, grace) {
            Ok(obj) => {
                let suffix = if kind.namespaced() {
                    format!(" from {o_ns} namespace")
                } else {
                    String::new()
                };
                let word = if force && grace == Some(0) {
                    "force deleted"
                } else {
                    "deleted"
                };
                if p.get("output") == Some("name") {
                    out.out(format!("{}/{name}\n", kind.lower_group_kind()));
                } else {
                    out.out(format!(
                        "{} \"{name}\" {word}{suffix}\n",
                        kind.lower_group_kind()
                    ));
                }
                if kind == Kind::Pod {
                    deleted_pods.push((o_ns, name, obj.meta().uid.clone().unwrap_or_default()));
                }
            }
            Err(e) if e.reason == Reason::NotFound && p.bool("ignore-not-found") => {}
            Err(e) => errs.push(CmdError::Api(match &source {
                Some(src) => super::errors::with_source(&e, "deleting", src),
                None => e,
            })),
        }
    }
    // kubectl waits until the objects are gone; in the lab that lets simulated time pass
    if wait {
        for (o_ns, name, uid) in deleted_pods {
            for _ in 0..100_000 {
                let still = sh
                    .cluster
                    .get(Kind::Pod, &o_ns, &name)
                    .is_some_and(|o| o.meta().uid.as_deref() == Some(uid.as_str()));
                if !still {
                    break;
                }
                match sh.cluster.next_timer() {
                    Some(t) if t > sh.cluster.now => sh.cluster.advance(t.0 - sh.cluster.now.0),
                    _ => sh.cluster.advance(1000),
                }
            }
        }
    }
    if errs.len() == 1 {
        if let CmdError::Api(e) = &errs[0] {
            out.err(format!("{}\n", errors::single(e)));
            out.code = 1;
            return out;
        }
    }
    report(&mut out, errs);
    out
}

#[inline(never)]
pub fn patch(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            val("patch", Some('p')),
            val("type", None),
            val("subresource", None),
            val("patch-file", None),
            val("dry-run", None),
            val("output", Some('o')),
        ],
        "kubectl patch",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let (kind, name) = match target(&p, "kubectl patch") {
        Ok(t) => t,
        Err(o) => return o,
    };
    let patch_text = match (p.get("patch"), p.get("patch-file")) {
        (Some(t), _) => t.to_string(),
        (None, Some(f)) => match sh.read_file(f) {
            Ok(t) => t,
            Err(e) => return Output::fail(format!("error: {e}")),
        },
        _ => {
            return Output::fail(errors::usage(
                "kubectl patch",
                "must specify --patch or --patch-file containing the contents of the patch",
            ))
        }
    };
    let patch: Value = match yaml::parse_document(&patch_text) {
        Ok(v) => v,
        Err(e) => {
            return Output::fail(format!(
                "error: unable to parse \"{patch_text}\": {}",
                e.go_message()
            ))
        }
    };
    let Some(current) = sh.cluster.get(kind, &ns, &name).cloned() else {
        return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
    };
    let cur_v = current.to_value();
    let ty = p.get("type").unwrap_or("strategic");
    let patched = match ty {
        "strategic" => crate::sim::merge::three_way(&cur_v, &patch, None),
        "merge" => {
            let mut v = cur_v.clone();
            merge_patch(&mut v, &patch);
            v
        }
        "json" => match json_patch(&cur_v, &patch) {
            Ok(v) => v,
            Err(e) => return Output::fail(format!("Error from server (UnprocessableEntity): {e}")),
        },
        other => {
            return Output::fail(format!(
                "error: --type must be one of [json merge strategic], not \"{other}\""
            ))
        }
    };
    let status_only = p.get("subresource") == Some("status");
    let result = if status_only {
        // only the status of the patched object is taken
        let mut v = cur_v.clone();
        v["status"] = patched.get("status").cloned().unwrap_or(Value::Null);
        match decode(&v) {
            Ok(o) => sh.cluster.update_status(o),
            Err(e) => return Output::fail(format!("Error from server (BadRequest): {e:?}")),
        }
    } else {
        match decode(&patched) {
            Ok(o) => sh.cluster.update(o),
            Err(DecodeError::UnknownFields { fields, .. }) => {
                let list: Vec<String> = fields
                    .iter()
                    .map(|f| format!("unknown field \"{f}\""))
                    .collect();
                return Output::fail(format!(
                    "Error from server (BadRequest): strict decoding error: {}",
                    list.join(", ")
                ));
            }
            Err(e) => return Output::fail(format!("Error from server (BadRequest): {e:?}")),
        }
    };
    match result {
        Ok((_, changed)) => {
            let mut out = Output::ok();
            let suffix = if changed { "" } else { " (no change)" };
            out.out(format!(
                "{}/{name} patched{suffix}\n",
                kind.lower_group_kind()
            ));
            out
        }
        Err(e) => Output::fail(errors::single(&e)),
    }
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(pm) => {
            if !target.is_object() {
                *target = Value::Object(Default::default());
            }
            if let Value::Object(tm) = target {
                for (k, v) in pm {
                    if v.is_null() {
                        tm.remove(k);
                    } else {
                        merge_patch(tm.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// RFC 6902 JSON patch.
fn json_patch(doc: &Value, patch: &Value) -> Result<Value, String> {
    let ops = patch
        .as_array()
        .ok_or("json patch must be a list of operations")?;
    let mut doc = doc.clone();
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        match kind {
            "add" | "replace" => {
                let value = op.get("value").cloned().unwrap_or(Value::Null);
                if kind == "replace" && doc.pointer(path).is_none() {
                    return Err(format!("the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: {path}"));
                }
                set_pointer(&mut doc, path, value, kind == "add")?;
            }
            "remove" => {
                remove_pointer(&mut doc, path).ok_or_else(|| {
                    format!("remove operation does not apply: doc is missing path: \"{path}\"")
                })?;
            }
            "test" => {
                if doc.pointer(path) != op.get("value") {
                    return Err(format!("testing value {path} failed"));
                }
            }
            "copy" | "move" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let v = doc.pointer(from).cloned().ok_or("from path missing")?;
                if kind == "move" {
                    remove_pointer(&mut doc, from);
                }
                set_pointer(&mut doc, path, v, true)?;
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(doc)
}

fn unescape_token(t: &str) -> String {
    t.replace("~1", "/").replace("~0", "~")
}

fn set_pointer(doc: &mut Value, path: &str, value: Value, insert: bool) -> Result<(), String> {
    let (parent, last) = path.rsplit_once('/').ok_or("invalid path")?;
    let last = unescape_token(last);
    let target = if parent.is_empty() {
        Some(doc)
    } else {
        doc.pointer_mut(parent)
    };
    match target {
        Some(Value::Object(m)) => {
            m.insert(last, value);
            Ok(())
        }
        Some(Value::Array(a)) => {
            if last == "-" {
                a.push(value);
            } else {
                let i: usize = last.parse().map_err(|_| "invalid index")?;
                if insert && i <= a.len() {
                    a.insert(i, value);
                } else if i < a.len() {
                    a[i] = value;
                } else {
                    return Err("index out of range".into());
                }
            }
            Ok(())
        }
        _ => Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\": missing value"
        )),
    }
}

fn remove_pointer(doc: &mut Value, path: &str) -> Option<Value> {
    let (parent, last) = path.rsplit_once('/')?;
    let last = unescape_token(last);
    let target = if parent.is_empty() {
        Some(doc)
    } else {
        doc.pointer_mut(parent)
    };
    match target? {
        Value::Object(m) => m.remove(&last),
        Value::Array(a) => {
            let i: usize = last.parse().ok()?;
            (i < a.len()).then(|| a.remove(i))
        }
        _ => None,
    }
}

/// `kubectl set image TYPE/NAME CONTAINER=IMAGE…` (deployments, replica sets, pods).
#[inline(never)]
pub fn set(sh: &mut Shell, args: &[String]) -> Output {
    if args.first().map(String::as_str) != Some("image") {
        let what = args.first().cloned().unwrap_or_default();
        return Output::fail(format!(
            "error: unknown command \"{what}\" for \"kubectl set\""
        ));
    }
    let p = match parse(
        &args[1..],
        &[flag("all", None), val("selector", Some('l'))],
        "kubectl set image",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let split = p
        .args
        .iter()
        .position(|a| a.contains('='))
        .unwrap_or(p.args.len());
    let (res, changes) = p.args.split_at(split);
    if changes.is_empty() {
        return Output::fail(errors::usage(
            "kubectl set image",
            "at least one image update is required",
        ));
    }
    let target = match res {
        [one] if one.contains('/') => one
            .split_once('/')
            .map(|(t, n)| (t.to_string(), n.to_string())),
        [t, n] => Some((t.clone(), n.clone())),
        _ => None,
    };
    let Some((t, name)) = target else {
        return Output::fail(errors::usage(
            "kubectl set image",
            "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        ));
    };
    let kind = match resolve_kind(&t) {
        Ok(k) => k,
        Err(e) => return Output::fail(e),
    };
    let Some(mut obj) = sh.cluster.get(kind, &ns, &name).cloned() else {
        return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
    };
    let containers = match &mut obj {
        Object::Deployment(d) => d
            .spec
            .as_mut()
            .and_then(|s| s.template.spec.as_mut())
            .map(|s| &mut s.containers),
        Object::ReplicaSet(r) => r
            .spec
            .as_mut()
            .and_then(|s| s.template.as_mut())
            .and_then(|t| t.spec.as_mut())
            .map(|s| &mut s.containers),
        Object::DaemonSet(ds) => ds
            .spec
            .as_mut()
            .and_then(|s| s.template.spec.as_mut())
            .map(|s| &mut s.containers),
        Object::Pod(pd) => pd.spec.as_mut().map(|s| &mut s.containers),
        other => {
            // `UpdatePodSpecForObject`'s refusal, framed by set image's patch loop
            return Output::fail(format!(
                "error: {}/{name} the object is not a pod or does not have a pod template: *{}.{}",
                other.kind().plural(),
                other.kind().version(),
                other.kind().name()
            ));
        }
    };
    let Some(containers) = containers else {
        return Output::fail("error: the object has no pod template");
    };
    for c in changes {
        let Some((cname, image)) = c.split_once('=') else {
            return Output::fail(format!("error: invalid image update: {c}"));
        };
        let mut found = false;
        for ctr in containers.iter_mut() {
            if cname == "*" || ctr.name == cname {
                ctr.image = Some(image.to_string());
                found = true;
            }
        }
        if !found {
            return Output::fail(format!("error: unable to find container named \"{cname}\""));
        }
    }
    match sh.cluster.update(obj) {
        Ok(_) => {
            let mut out = Output::ok();
            out.out(format!(
                "{}/{name} image updated\n",
                kind.lower_group_kind()
            ));
            out
        }
        Err(e) => Output::fail(errors::single(&e)),
    }
}

/// `kubectl rollout status|restart` for Deployments. `status` waits as kubectl does: simulated
/// time passes until the rollout finishes (or its progress deadline passes).
#[inline(never)]
pub fn rollout(sh: &mut Shell, args: &[String]) -> Output {
    let Some(sub) = args.first().map(String::as_str) else {
        return Output::fail(errors::usage(
            "kubectl rollout",
            "Required resource not specified.",
        ));
    };
    let p = match parse(
        &args[1..],
        &[
            val("timeout", None),
            val("watch", Some('w')),
            val("revision", None),
            val("to-revision", None),
            val("dry-run", None),
        ],
        "kubectl rollout",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let ns = namespace(sh, &p);
    let (kind, name) = match target(&p, &format!("kubectl rollout {sub}")) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let daemon_set = kind == Kind::DaemonSet;
    if daemon_set && matches!(sub, "history" | "undo") {
        return Output::fail(format!(
            "svclab: a DaemonSet's rollout {sub} reads its ControllerRevisions, which the lab does not simulate"
        ));
    }
    if kind != Kind::Deployment && !(daemon_set && matches!(sub, "status" | "restart")) {
        return Output::fail(format!(
            "error: no {sub} has been implemented for {{\"{}\" \"{}\"}}",
            kind.group(),
            kind.name()
        ));
    }
    if sh.cluster.get(kind, &ns, &name).is_none() {
        return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
    }
    match sub {
        "status" if daemon_set => daemon_set_status(sh, &ns, &name),
        "status" => {
            let start = sh.cluster.now;
            watch_rollout(sh, |sh| {
                let Some(Object::Deployment(d)) = sh.cluster.get(kind, &ns, &name) else {
                    return None;
                };
                let spec_replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                let st = d.status.clone().unwrap_or_default();
                let updated = st.updated_replicas.unwrap_or(0);
                let total = st.replicas.unwrap_or(0);
                let available = st.available_replicas.unwrap_or(0);
                let msg = if d.metadata.generation > st.observed_generation {
                    "Waiting for deployment spec update to be observed...\n".to_string()
                } else if updated < spec_replicas {
                    format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {spec_replicas} new replicas have been updated...\n")
                } else if total > updated {
                    format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", total - updated)
                } else if available < updated {
                    format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n")
                } else {
                    return Some((
                        format!("deployment \"{name}\" successfully rolled out\n"),
                        Rollout::Done,
                    ));
                };
                if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
                    // no progress deadline runs while paused: kubectl would wait for ever
                    return Some((msg, Rollout::Stuck("svclab: the Deployment is paused, so kubectl would wait here until `kubectl rollout resume` (stopped)\n".into())));
                }
                let deadline = d
                    .spec
                    .as_ref()
                    .and_then(|s| s.progress_deadline_seconds)
                    .unwrap_or(600)
                    .max(1) as u64;
                if sh.cluster.now.0 >= start.0 + deadline * 1000 {
                    let why =
                        format!("error: deployment \"{name}\" exceeded its progress deadline\n");
                    return Some((msg, Rollout::Stuck(why)));
                }
                let step = match sh.cluster.next_timer() {
                    Some(t) if t.0 > sh.cluster.now.0 => {
                        (t.0 - sh.cluster.now.0).min(deadline * 1000)
                    }
                    _ => 1000,
                };
                Some((msg, Rollout::Wait(step)))
            })
        }
        // `ObjectRestarter`: a new annotation on the pod template makes the controller roll
        "restart" => {
            let Some(mut obj) = sh.cluster.get(kind, &ns, &name).cloned() else {
                return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
            };
            let template = match &mut obj {
                Object::Deployment(d) => &mut d.spec.get_or_insert_with(Default::default).template,
                Object::DaemonSet(ds) => &mut ds.spec.get_or_insert_with(Default::default).template,
                _ => return Output::fail(errors::single(&ApiError::not_found(kind, &name))),
            };
            template
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert(
                    "kubectl.kubernetes.io/restartedAt".into(),
                    sh.cluster.now.rfc3339(),
                );
            match sh.cluster.update(obj) {
                Ok(_) => {
                    let mut out = Output::ok();
                    out.out(format!("{}/{name} restarted\n", kind.lower_group_kind()));
                    out
                }
                Err(e) => Output::fail(errors::single(&e)),
            }
        }
        "history" => rollout_history(sh, &ns, &name, &p),
        "undo" => rollout_undo(sh, &ns, &name, &p),
        "pause" | "resume" => {
            let Some(Object::Deployment(mut d)) = sh.cluster.get(kind, &ns, &name).cloned() else {
                return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
            };
            let pause = sub == "pause";
            let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
            // the ObjectPauser refuses a Deployment already in that state
            if paused == pause {
                return Output::fail(format!(
                    "error: deployments.apps \"{name}\" {}",
                    if pause {
                        "is already paused"
                    } else {
                        "is not paused"
                    }
                ));
            }
            d.spec.get_or_insert_with(Default::default).paused = pause.then_some(true);
            match sh.cluster.update(Object::Deployment(d)) {
                Ok(_) => {
                    let mut out = Output::ok();
                    out.out(format!("deployment.apps/{name} {sub}d\n"));
                    out
                }
                Err(e) => Output::fail(errors::single(&e)),
            }
        }
        other => Output::fail(format!(
            "error: unknown command \"{other}\" for \"kubectl rollout\""
        )),
    }
}

/// How a rollout stands after one look at its status.
enum Rollout {
    Done,
    /// not yet: look again after this many simulated milliseconds
    Wait(u64),
    /// kubectl would wait for ever, or gives up: what it (or the lab) says
    Stuck(String),
}

/// `kubectl rollout status`'s watch: prints each new status line as simulated time passes.
fn watch_rollout(
    sh: &mut Shell,
    mut status: impl FnMut(&Shell) -> Option<(String, Rollout)>,
) -> Output {
    let mut out = Output::ok();
    let mut last = String::new();
    while let Some((msg, next)) = status(sh) {
        if msg != last {
            out.out(msg.clone());
            last = msg;
        }
        match next {
            Rollout::Done => return out,
            Rollout::Stuck(why) => {
                out.err(why);
                out.code = 1;
                return out;
            }
            Rollout::Wait(ms) => sh.cluster.advance(ms),
        }
    }
    out
}

/// `kubectl rollout status daemonset/NAME` (`DaemonSetStatusViewer`): waits in simulated time
/// until every node runs an available pod of the current template.
fn daemon_set_status(sh: &mut Shell, ns: &str, name: &str) -> Output {
    let start = sh.cluster.now;
    watch_rollout(sh, |sh| {
        let Some(Object::DaemonSet(ds)) = sh.cluster.get(Kind::DaemonSet, ns, name) else {
            return None;
        };
        let strategy = ds
            .spec
            .as_ref()
            .and_then(|s| s.update_strategy.as_ref())
            .and_then(|s| s.type_.as_deref())
            .unwrap_or("RollingUpdate");
        if strategy != "RollingUpdate" {
            // `DaemonSetRolloutStatus`: an error, and the watch ends
            let why = "error: rollout status is only available for RollingUpdate strategy type\n";
            return Some((String::new(), Rollout::Stuck(why.into())));
        }
        let st = ds.status.clone().unwrap_or_default();
        let desired = st.desired_number_scheduled;
        let updated = st.updated_number_scheduled.unwrap_or(0);
        let available = st.number_available.unwrap_or(0);
        let msg = if ds.metadata.generation > st.observed_generation {
            "Waiting for daemon set spec update to be observed...\n".to_string()
        } else if updated < desired {
            format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n")
        } else if available < desired {
            format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n")
        } else {
            return Some((
                format!("daemon set \"{name}\" successfully rolled out\n"),
                Rollout::Done,
            ));
        };
        // a DaemonSet has no progress deadline: past ten simulated minutes, or with nothing
        // left to happen, kubectl would wait for ever
        match sh.cluster.next_timer().filter(|t| t.0 > sh.cluster.now.0) {
            Some(t) if sh.cluster.now.0 < start.0 + 600_000 => {
                Some((msg, Rollout::Wait(t.0 - sh.cluster.now.0)))
            }
            _ => Some((msg, Rollout::Stuck("svclab: the rollout is not progressing, so kubectl would wait here until it does (stopped)\n".into()))),
        }
    })
}

/// The ReplicaSets a Deployment controls, with their revisions (`GetAllReplicaSets`,
/// `deploymentutil.Revision`).
fn revisions(
    sh: &Shell,
    ns: &str,
    d: &k8s_openapi::api::apps::v1::Deployment,
) -> Vec<(i64, k8s_openapi::api::apps::v1::ReplicaSet)> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut v: Vec<(i64, k8s_openapi::api::apps::v1::ReplicaSet)> = sh
        .cluster
        .owned_by(Kind::ReplicaSet, ns, &uid)
        .into_iter()
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some(&**rs),
            _ => None,
        })
        .filter_map(|rs| {
            let rev = rs
                .metadata
                .annotations
                .as_ref()?
                .get(crate::sim::controllers::REVISION)?
                .parse::<i64>()
                .ok()?;
            Some((rev, rs.clone()))
        })
        .collect();
    crate::sim::order::sort_by_key(&mut v, |(r, _)| *r);
    v
}

/// An int64 flag (0 when absent), refused as pflag refuses a value that does not parse.
fn int64_flag(p: &Parsed, name: &str, cmd: &str) -> Result<i64, Output> {
    let Some(v) = p.get(name) else { return Ok(0) };
    v.parse::<i64>().map_err(|_| {
        Output::fail(errors::flag_error(
            cmd,
            &format!("invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax"),
        ))
    })
}

/// `kubectl rollout history` (`DeploymentHistoryViewer.ViewHistory`): each revision with the
/// `kubernetes.io/change-cause` of its ReplicaSet, or one revision's pod template.
fn rollout_history(sh: &Shell, ns: &str, name: &str, p: &Parsed) -> Output {
    let Some(Object::Deployment(d)) = sh.cluster.get(Kind::Deployment, ns, name) else {
        return Output::fail(errors::single(&ApiError::not_found(Kind::Deployment, name)));
    };
    let revision = match int64_flag(p, "revision", "kubectl rollout history") {
        Ok(r) => r,
        Err(o) => return o,
    };
    if revision < 0 {
        return Output::fail(format!(
            "error: revision must be a positive integer: {revision}"
        ));
    }
    let history = revisions(sh, ns, d);
    let mut out = Output::ok();
    if history.is_empty() {
        out.out(format!(
            "deployment.apps/{name} \nNo rollout history found.\n"
        ));
        return out;
    }
    if revision > 0 {
        let Some((_, rs)) = history.iter().find(|(r, _)| *r == revision) else {
            return Output::fail("error: unable to find the specified revision");
        };
        // ViewHistory writes the ReplicaSet's change-cause into the template it prints
        let mut template = rs.spec.as_ref().and_then(|s| s.template.clone());
        if let (Some(t), Some(cause)) = (
            template.as_mut(),
            rs.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubernetes.io/change-cause"))
                .filter(|c| !c.is_empty()),
        ) {
            t.metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert("kubernetes.io/change-cause".into(), cause.clone());
        }
        out.out(format!(
            "deployment.apps/{name} with revision #{revision}\n{}\n",
            super::describe::pod_template(template.as_ref())
        ));
        return out;
    }
    let mut t = String::from("REVISION\tCHANGE-CAUSE\n");
    for (r, rs) in &history {
        let cause = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("kubernetes.io/change-cause"))
            .filter(|c| !c.is_empty())
            .map_or("<none>", String::as_str);
        t.push_str(&format!("{r}\t{cause}\n"));
    }
    out.out(format!(
        "deployment.apps/{name} \n{}\n",
        // history.go's tabbedString: the describe layout (padding 2)
        super::tabwriter::TabWriter::describe().format(&t)
    ));
    out
}

/// `kubectl rollout undo` (`DeploymentRollbacker.Rollback`): the Deployment takes the pod
/// template of the revision before the current one (or `--to-revision`), and that ReplicaSet's
/// annotations; the controller then rolls back to that ReplicaSet under a new revision.
fn rollout_undo(sh: &mut Shell, ns: &str, name: &str, p: &Parsed) -> Output {
    let Some(Object::Deployment(d)) = sh.cluster.get(Kind::Deployment, ns, name).cloned() else {
        return Output::fail(errors::single(&ApiError::not_found(Kind::Deployment, name)));
    };
    let to = match int64_flag(p, "to-revision", "kubectl rollout undo") {
        Ok(r) => r,
        Err(o) => return o,
    };
    if to < 0 {
        return Output::fail(format!(
            "error: unable to find specified revision {to} in history"
        ));
    }
    let history = revisions(sh, ns, &d);
    let target = if to > 0 {
        match history.iter().find(|(r, _)| *r == to) {
            Some((_, rs)) => rs.clone(),
            None => {
                return Output::fail(format!(
                    "error: unable to find specified revision {to} in history"
                ))
            }
        }
    } else {
        // the second-newest revision
        match history.iter().rev().nth(1) {
            Some((_, rs)) => rs.clone(),
            None => {
                return Output::fail(format!(
                    "error: no rollout history found for deployment \"{name}\""
                ))
            }
        }
    };
    let target_rev = history
        .iter()
        .find(|(_, rs)| rs.metadata.uid == target.metadata.uid)
        .map_or(0, |(r, _)| *r);
    let mut template = target
        .spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default();
    if let Some(l) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove("pod-template-hash");
    }
    let mut out = Output::ok();
    if p.get("dry-run")
        .is_some_and(|v| v != "none" && v != "false")
    {
        out.out(format!(
            "deployment.apps/{name} {}\n",
            super::describe::pod_template(Some(&template))
        ));
        return out;
    }
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        return Output::fail("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
    }
    // equalIgnoreHash, as the controller compares them
    let current = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    if crate::sim::controllers::same_template(&target, &current) {
        out.out(format!(
            "deployment.apps/{name} skipped rollback (current template already matches revision {})\n",
            if to > 0 { to } else { target_rev }
        ));
        return out;
    }
    // the Deployment keeps the annotations the controller and kubectl own, and takes the rest
    // from the ReplicaSet
    use crate::sim::controllers::ANNOTATIONS_TO_SKIP as OWN;
    let mut annotations: BTreeMap<String, String> = d
        .metadata
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| OWN.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in target.metadata.annotations.iter().flatten() {
        if !OWN.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let mut d = d;
    d.metadata.annotations = Some(annotations);
    d.spec.get_or_insert_with(Default::default).template = template;
    match sh.cluster.update(Object::Deployment(d)) {
        Ok(_) => {
            out.out(format!("deployment.apps/{name} rolled back\n"));
            out
        }
        Err(e) => Output::fail(errors::single(&e)),
    }
}

#[inline(never)]
pub fn edit(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(
        args,
        &[
            val("output", Some('o')),
            flag("save-config", None),
            val("subresource", None),
            flag("windows-line-endings", None),
        ],
        "kubectl edit",
    ) {
        Ok(p) => p,
        Err(o) => return o,
    };
    if sh.edits.is_none() {
        // no interactive editor on the command line: say so rather than pretend an edit happened
        return Output::fail("error: kubectl edit needs an interactive editor, which svclab's command line does not have: change the object with `kubectl patch`, or declare it in a manifest and `kubectl apply -f` it (in the lab page, `kubectl edit` opens the object in the Manifest editor)");
    }
    let ns = namespace(sh, &p);
    let (kind, name) = match target(&p, "kubectl edit") {
        Ok(t) => t,
        Err(o) => return o,
    };
    let Some(current) = sh.cluster.get(kind, &ns, &name) else {
        return Output::fail(errors::single(&ApiError::not_found(kind, &name)));
    };
    let mut v = current.to_value();
    // what the user declares: the server's own fields go (they would conflict on apply)
    if let Some(obj) = v.as_object_mut() {
        obj.remove("status");
        if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in [
                "uid",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "managedFields",
                "selfLink",
            ] {
                meta.remove(k);
            }
            if let Some(a) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                a.remove(LAST_APPLIED);
                if a.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
    }
    let namespace = if kind.namespaced() { ns } else { String::new() };
    let request = EditRequest {
        kind,
        namespace,
        name: name.clone(),
        yaml: yaml::to_yaml(&v),
    };
    sh.edits.get_or_insert_with(Vec::new).push(request);
    let mut o = Output::ok();
    o.out(format!(
        "{}/{name} is open in the Manifest editor: it applies when you stop typing\n",
        kind.lower_group_kind()
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::container_name_for;

    #[test]
    fn container_names_from_images() {
        let mut s = || "abcde".to_string();
        assert_eq!(
            container_name_for("kicbase/echo-server:1.0", &mut s),
            "echo-server"
        );
        assert_eq!(
            container_name_for("registry.k8s.io/echoserver:1.10", &mut s),
            "echoserver"
        );
        assert_eq!(container_name_for("my_app.v2", &mut s), "my-app-v2-abcde");
    }
}
