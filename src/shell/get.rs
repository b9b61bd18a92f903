//! `kubectl get`.

use super::flags::{flag, val};
use super::kubectl::{namespace, parse, resolve_kind};
use super::printers::table;
use super::tabwriter::TabWriter;
use super::{errors, jsonpath, Output, Shell};
use crate::sim::api::ApiError;
use crate::sim::fields;
use crate::sim::labels::{self, format_labels};
use crate::sim::object::{Kind, Object};
use serde_json::Value;
use std::collections::BTreeMap;

const FLAGS: &[super::flags::Flag] = &[
    flag("all-namespaces", Some('A')),
    val("selector", Some('l')),
    val("output", Some('o')),
    flag("show-labels", None),
    val("label-columns", Some('L')),
    flag("no-headers", None),
    flag("watch", Some('w')),
    val("field-selector", None),
    flag("ignore-not-found", None),
    val("sort-by", None),
    flag("show-kind", None),
    val("chunk-size", None),
    val("template", None),
];

pub const ENDPOINTS_WARNING: &str =
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n";

enum Request {
    /// `kubectl get pods` / `pod,svc` (optionally with names for the single type)
    Types(Vec<Kind>, Vec<String>),
    /// `kubectl get pod/x svc/y`
    Pairs(Vec<(Kind, String)>),
}

#[inline(never)]
pub fn run(sh: &mut Shell, args: &[String]) -> Output {
    let p = match parse(args, FLAGS, "kubectl get") {
        Ok(p) => p,
        Err(o) => return o,
    };
    if p.bool("watch") {
        return Output::fail("error: svclab does not support --watch: run the command again, or `sleep` to let time pass");
    }
    if p.args.is_empty() {
        return Output::fail("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples");
    }
    let all_ns = p.bool("all-namespaces");
    let ns = namespace(sh, &p);
    if matches!(p.args[0].as_str(), "events" | "event" | "ev") {
        return events(sh, &p, &ns, all_ns);
    }
    let request = match parse_request(&p.args) {
        Ok(r) => r,
        Err(e) => return Output::fail(e),
    };
    let selecting = p.has("selector") || p.has("field-selector");
    let has_names = matches!(&request, Request::Types(_, names) if !names.is_empty());
    if has_names && selecting {
        return Output::fail("error: name cannot be provided when a selector is specified");
    }
    let mut out = Output::ok();
    let mut errs: Vec<String> = Vec::new();
    // Fetch everything first (kubectl's builder), then print: warnings come before tables.
    let mut blocks: Vec<(Kind, Vec<Object>)> = Vec::new();
    let mut single_item = false;
    let push =
        |blocks: &mut Vec<(Kind, Vec<Object>)>, kind: Kind, obj: Object| match blocks.last_mut() {
            Some((k, v)) if *k == kind => v.push(obj),
            _ => blocks.push((kind, vec![obj])),
        };
    match &request {
        Request::Types(kinds, names) => {
            if kinds.contains(&Kind::Endpoints) {
                out.err(ENDPOINTS_WARNING);
            }
            if names.is_empty() {
                for &kind in kinds {
                    match select_flagged(sh, kind, &p) {
                        Ok(objs) if objs.is_empty() => {}
                        Ok(objs) => blocks.push((kind, objs.into_iter().cloned().collect())),
                        Err(e) => errs.push(e),
                    }
                }
            } else {
                let kind = kinds[0];
                single_item = names.len() == 1;
                for n in names {
                    match sh.cluster.get(kind, &ns, n) {
                        Some(o) => push(&mut blocks, kind, o.clone()),
                        None if p.bool("ignore-not-found") => {}
                        None => errs.push(errors::standard(&ApiError::not_found(kind, n))),
                    }
                }
            }
        }
        Request::Pairs(pairs) => {
            if pairs.iter().any(|(k, _)| *k == Kind::Endpoints) {
                out.err(ENDPOINTS_WARNING);
            }
            single_item = pairs.len() == 1;
            for (kind, n) in pairs {
                match sh.cluster.get(*kind, &ns, n) {
                    Some(o) => push(&mut blocks, *kind, o.clone()),
                    None if p.bool("ignore-not-found") => {}
                    None => errs.push(errors::standard(&ApiError::not_found(*kind, n))),
                }
            }
        }
    }
    if let Some(expr) = p.get("sort-by").filter(|e| !e.is_empty()) {
        let field = match jsonpath::relaxed(expr) {
            Ok(f) => f,
            Err(e) => return Output::fail(format!("error: {e}")),
        };
        for (_, objs) in blocks.iter_mut() {
            if let Err(e) = super::sortorder::sort_by(objs, &field, |o| {
                jsonpath::first_value(&field, &o.to_value())
            }) {
                return Output::fail(format!("error: {e}"));
            }
        }
    }
    let total: usize = blocks.iter().map(|(_, v)| v.len()).sum();
    let output = match template_output(&p) {
        Ok(o) => o,
        Err(e) => return Output::fail(e),
    };
    let result = match output.as_str() {
        "" | "wide" => Ok(print_tables(sh, &blocks, &p, output == "wide", all_ns)),
        _ => print_generic(
            &output,
            &|| {
                blocks
                    .iter()
                    .flat_map(|(k, v)| {
                        v.iter()
                            .map(move |o| format!("{}/{}\n", k.lower_group_kind(), o.name()))
                    })
                    .collect()
            },
            &|| {
                blocks
                    .iter()
                    .flat_map(|(_, v)| v.iter().map(Object::to_value))
                    .collect()
            },
            single_item,
            p.bool("no-headers"),
        ),
    };
    match result {
        Ok(text) => out.out(text),
        Err(e) => return Output::fail(e),
    }
    if total == 0 && errs.is_empty() && output.is_empty()
        || total == 0 && errs.is_empty() && output == "wide"
    {
        if all_ns {
            out.err("No resources found\n");
        } else {
            out.err(format!("No resources found in {ns} namespace.\n"));
        }
    }
    for e in &errs {
        out.err(format!("{e}\n"));
    }
    if !errs.is_empty() {
        out.code = 1;
    }
    out
}

fn parse_request(args: &[String]) -> Result<Request, String> {
    if args[0].contains('/') {
        let mut pairs = Vec::new();
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            pairs.push((resolve_kind(t)?, n.to_string()));
        }
        return Ok(Request::Pairs(pairs));
    }
    if args.len() > 1 {
        super::kubectl::single_resource(&args[0])?;
    }
    let mut kinds = Vec::new();
    for t in args[0].split(',').filter(|t| !t.is_empty()) {
        if t == "all" {
            for k in [
                Kind::Pod,
                Kind::Service,
                Kind::DaemonSet,
                Kind::Deployment,
                Kind::ReplicaSet,
            ] {
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
            continue;
        }
        let k = resolve_kind(t)?;
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    Ok(Request::Types(kinds, args[1..].to_vec()))
}

fn print_tables(
    sh: &Shell,
    blocks: &[(Kind, Vec<Object>)],
    p: &super::flags::Parsed,
    wide: bool,
    all_ns: bool,
) -> String {
    let now = sh.cluster.now;
    let multi_kind = blocks.len() > 1;
    let show_labels = p.bool("show-labels");
    let label_cols: Vec<String> = p
        .all("label-columns")
        .iter()
        .flat_map(|s| s.split(',').map(str::to_string))
        .collect();
    let mut text = String::new();
    for (i, (kind, objs)) in blocks.iter().enumerate() {
        let refs: Vec<&Object> = objs.iter().collect();
        let t = table(*kind, &refs, now);
        let cols = if wide { t.headers.len() } else { t.wide_from };
        let with_ns = all_ns && kind.namespaced();
        let mut block = String::new();
        if !p.bool("no-headers") {
            let mut h: Vec<String> = Vec::new();
            if with_ns {
                h.push("NAMESPACE".into());
            }
            h.extend(t.headers[..cols].iter().map(|s| s.to_string()));
            for l in &label_cols {
                h.push(l.rsplit('/').next().unwrap_or(l).to_uppercase());
            }
            if show_labels {
                h.push("LABELS".into());
            }
            block.push_str(&h.join("\t"));
            block.push('\n');
        }
        for (row, obj) in t.rows.iter().zip(objs.iter()) {
            let mut cells: Vec<String> = Vec::new();
            if with_ns {
                cells.push(obj.namespace().to_string());
            }
            for (j, c) in row[..cols].iter().enumerate() {
                if j == 0 && multi_kind {
                    cells.push(format!("{}/{}", kind.lower_group_kind(), c));
                } else {
                    cells.push(first_line(c));
                }
            }
            let labels = obj.meta().labels.clone().unwrap_or_default();
            for l in &label_cols {
                cells.push(labels.get(l).cloned().unwrap_or_default());
            }
            if show_labels {
                cells.push(format_labels(Some(&labels)));
            }
            block.push_str(&cells.join("\t"));
            block.push('\n');
        }
        if i > 0 && !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&TabWriter::kubectl().format(&block));
    }
    text
}

fn first_line(s: &str) -> String {
    match s.find(['\n', '\r', '\u{c}']) {
        Some(i) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// kubectl's printers that work from the objects' JSON (`-o name|yaml|json|jsonpath…|
/// go-template…|custom-columns=…`): `names` lists `resource/name` lines, `items` the objects.
fn print_generic(
    output: &str,
    names: &dyn Fn() -> String,
    items: &dyn Fn() -> Vec<Value>,
    single_item: bool,
    no_headers: bool,
) -> Result<String, String> {
    let list = || as_value(items(), single_item);
    match output {
        "name" => Ok(names()),
        "yaml" => Ok(crate::sim::yaml::to_yaml(&list())),
        "json" => Ok(format!("{}\n", to_json_4(&list()))),
        o if o.starts_with("jsonpath-as-json=") => {
            let tmpl = o.split_once('=').map(|(_, t)| t).unwrap_or("");
            jsonpath::execute_as_json(tmpl, &list())
                .map(|arrays| arrays.iter().map(|a| format!("{}\n", to_json_4(a))).collect())
                .map_err(|e| format!("error: error parsing jsonpath {tmpl}, {e}"))
        }
        o if o.starts_with("jsonpath=") || o.starts_with("jsonpath={") => {
            let tmpl = o.split_once('=').map(|(_, t)| t).unwrap_or("");
            jsonpath::execute(tmpl, &list())
                .map_err(|e| format!("error: error parsing jsonpath {tmpl}, {e}"))
        }
        o if o.starts_with("go-template=") || o.starts_with("template=") => {
            let tmpl = o.split_once('=').map(|(_, t)| t).unwrap_or("");
            super::gotemplate::execute(tmpl, &list())
        }
        o if o.starts_with("custom-columns=") => Ok(custom_columns(
            &o["custom-columns=".len()..],
            &items(),
            no_headers,
        )),
        other => Err(format!(
            "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
        )),
    }
}

fn as_value(items: Vec<Value>, single_item: bool) -> Value {
    if single_item && items.len() == 1 {
        return items.into_iter().next().unwrap_or(Value::Null);
    }
    serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// `json.MarshalIndent(…, "", "    ")` as kubectl's JSON printer writes it.
pub fn to_json_4(v: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).ok();
    String::from_utf8(buf).unwrap_or_default()
}

fn custom_columns(spec: &str, items: &[Value], no_headers: bool) -> String {
    let cols: Vec<(String, String)> = spec
        .split(',')
        .filter_map(|c| {
            c.split_once(':')
                .map(|(h, p)| (h.to_string(), p.to_string()))
        })
        .collect();
    let mut text = String::new();
    if !no_headers {
        text.push_str(
            &cols
                .iter()
                .map(|(h, _)| h.clone())
                .collect::<Vec<_>>()
                .join("\t"),
        );
        text.push('\n');
    }
    for v in items {
        let cells: Vec<String> = cols
            .iter()
            .map(|(_, path)| {
                // `printOneObject`: each value found, as fmt.Sprint prints it, joined by commas
                let found = jsonpath::relaxed(path)
                    .and_then(|t| jsonpath::values(&t, v))
                    .unwrap_or_default();
                if found.is_empty() {
                    "<none>".into()
                } else {
                    found
                        .iter()
                        .map(super::gotemplate::plain)
                        .collect::<Vec<_>>()
                        .join(",")
                }
            })
            .collect();
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    TabWriter::kubectl().format(&text)
}

/// The objects of one kind that a list request with these selectors returns (`-l` and
/// `--field-selector` as kubectl sends them; `namespace` `None` for all namespaces), or the
/// apiserver's refusal as kubectl's builder reports it: the label selector is parsed first, then
/// the field selector, then the kind's field-label conversion runs.
pub(crate) fn select<'c>(
    cluster: &'c crate::sim::Cluster,
    kind: Kind,
    namespace: Option<&str>,
    labels_text: Option<&str>,
    fields_text: Option<&str>,
) -> Result<Vec<&'c Object>, String> {
    let refuse = |e: &str| {
        list_error(
            &kind.gvr_string(),
            labels_text.unwrap_or(""),
            fields_text.unwrap_or(""),
            e,
        )
    };
    let label_sel = labels_text
        .map(labels::parse)
        .transpose()
        .map_err(|e| refuse(&e))?;
    let field_sel = fields_text
        .map(|f| fields::parse(f).and_then(|mut f| f.convert(Some(kind)).map(|()| f)))
        .transpose()
        .map_err(|e| refuse(&e))?;
    let namespace = namespace.filter(|_| kind.namespaced());
    Ok(cluster
        .list(kind, namespace)
        .into_iter()
        .filter(|o| {
            label_sel
                .as_ref()
                .is_none_or(|s| s.matches(o.meta().labels.as_ref().unwrap_or(&BTreeMap::new())))
        })
        .filter(|o| {
            field_sel
                .as_ref()
                .is_none_or(|f| f.matches(&fields::Subject::Object(o)))
        })
        .collect())
}

/// The output format with `--template` folded in as `PrintFlags` does: `-o go-template
/// --template=T` is `-o go-template=T`, and `--template` alone means go-template.
fn template_output(p: &super::flags::Parsed) -> Result<String, String> {
    let output = p.get("output").unwrap_or("");
    let template = p.get("template").unwrap_or("");
    let format = if output.is_empty() && !template.is_empty() {
        "go-template"
    } else {
        output
    };
    match format {
        "go-template" | "template" | "jsonpath" | "jsonpath-as-json" if template.is_empty() => {
            Err("error: template format specified but no template given".into())
        }
        "go-template" | "template" | "jsonpath" | "jsonpath-as-json" => {
            Ok(format!("{format}={template}"))
        }
        other => Ok(other.to_string()),
    }
}

/// `select` with the command's own flags (`-n`/`-A`, `-l`, `--field-selector`).
pub(crate) fn select_flagged<'c>(
    sh: &'c Shell,
    kind: Kind,
    p: &super::flags::Parsed,
) -> Result<Vec<&'c Object>, String> {
    let cluster = &sh.cluster;
    let ns = namespace(sh, p);
    let scope = (!p.bool("all-namespaces")).then_some(ns.as_str());
    select(
        cluster,
        kind,
        scope,
        p.get("selector"),
        p.get("field-selector"),
    )
}

/// A list request the apiserver refused (a selector it could not parse or a field label the
/// kind does not offer), as kubectl's builder reports it.
pub(crate) fn list_error(gvr: &str, labels: &str, fields: &str, e: &str) -> String {
    format!("Error from server (BadRequest): Unable to find \"{gvr}\" that match label selector \"{labels}\", field selector \"{fields}\": {e}")
}

/// `kubectl get events` (`printEvent`): the events the lab's controllers and kubelets recorded.
fn events(sh: &Shell, p: &super::flags::Parsed, ns: &str, all_ns: bool) -> Output {
    let c = &sh.cluster;
    let wide = p.get("output") == Some("wide");
    let mut evs: Vec<&crate::sim::controllers::Event> = c
        .all_events()
        .into_iter()
        .filter(|e| all_ns || e.namespace == ns || (e.namespace.is_empty() && ns == "default"))
        .collect();
    // the recorder sets no labels; both selectors go through the apiserver as for any list
    let refuse = |e: &str| {
        let (l, f) = (p.get("selector"), p.get("field-selector"));
        let (l, f) = (l.unwrap_or(""), f.unwrap_or(""));
        Output::fail(list_error("/v1, Resource=events", l, f, e))
    };
    let label_sel = match p.get("selector").map(labels::parse).transpose() {
        Ok(s) => s,
        Err(e) => return refuse(&e),
    };
    let field_sel = match p
        .get("field-selector")
        .map(|f| fields::parse(f).and_then(|mut f| f.convert(None).map(|()| f)))
        .transpose()
    {
        Ok(s) => s,
        Err(e) => return refuse(&e),
    };
    evs.retain(|e| {
        label_sel
            .as_ref()
            .is_none_or(|s| s.matches(&BTreeMap::new()))
            && field_sel
                .as_ref()
                .is_none_or(|f| f.matches(&fields::Subject::Event(e)))
    });
    // `kubectl get events NAME…`: the named events, each looked up as the builder does
    let mut errs = Vec::new();
    let names = &p.args[1..];
    if !names.is_empty() {
        let mut named = Vec::new();
        for n in names {
            match evs.iter().find(|e| &e.id == n) {
                Some(e) => named.push(*e),
                None if p.bool("ignore-not-found") => {}
                None => errs.push(format!(
                    "Error from server (NotFound): events \"{n}\" not found"
                )),
            }
        }
        evs = named;
    }
    let output = match template_output(p) {
        Ok(o) => o,
        Err(e) => return Output::fail(e),
    };
    let scheduler_host = crate::sim::bootstrap::control_plane_node(c)
        .map(|n| n.name().to_string())
        .unwrap_or_default();
    // the objects as the apiserver returns them, for --sort-by and the printers that read JSON
    // (the table reads the records)
    let sort_by = p.get("sort-by").filter(|e| !e.is_empty());
    let as_json = sort_by.is_some() || !matches!(output.as_str(), "" | "wide");
    let mut listed: Vec<(&crate::sim::controllers::Event, Value)> = evs
        .iter()
        .map(|e| {
            (
                *e,
                if as_json {
                    event_value(c, e, &scheduler_host)
                } else {
                    Value::Null
                },
            )
        })
        .collect();
    if let Some(expr) = sort_by {
        let sorted = jsonpath::relaxed(expr).and_then(|field| {
            super::sortorder::sort_by(&mut listed, &field, |(_, v)| {
                jsonpath::first_value(&field, v)
            })
        });
        if let Err(e) = sorted {
            return Output::fail(format!("error: {e}"));
        }
    }
    let evs: Vec<&crate::sim::controllers::Event> = listed.iter().map(|(e, _)| *e).collect();
    let mut out = Output::ok();
    if !matches!(output.as_str(), "" | "wide") {
        match print_generic(
            &output,
            &|| evs.iter().map(|e| format!("event/{}\n", e.id)).collect(),
            &|| listed.iter().map(|(_, v)| v.clone()).collect(),
            names.len() == 1,
            p.bool("no-headers"),
        ) {
            Ok(text) => out.out(text),
            Err(e) => return Output::fail(e),
        }
        return with_errors(out, &errs);
    }
    if evs.is_empty() {
        if errs.is_empty() {
            out.err(if all_ns {
                "No resources found\n".to_string()
            } else {
                format!("No resources found in {ns} namespace.\n")
            });
        }
        return with_errors(out, &errs);
    }
    let mut t = String::new();
    if !p.bool("no-headers") {
        if all_ns {
            t.push_str("NAMESPACE\t");
        }
        t.push_str(if wide {
            "LAST SEEN\tTYPE\tREASON\tOBJECT\tSUBOBJECT\tSOURCE\tMESSAGE\tFIRST SEEN\tCOUNT\tNAME\n"
        } else {
            "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n"
        });
    }
    for e in evs {
        let last = super::printers::age(c.now, Some(&e.last.to_time()));
        let first = super::printers::age(c.now, Some(&e.first.to_time()));
        let target = format!("{}/{}", e.kind.to_ascii_lowercase(), e.name);
        if all_ns {
            t.push_str(&format!(
                "{}\t",
                if e.namespace.is_empty() {
                    "default"
                } else {
                    &e.namespace
                }
            ));
        }
        if wide {
            // SUBOBJECT is the container's field path; SOURCE the component and its instance
            // (`formatEventSource`)
            let event_name = &e.id;
            let instance = reporting_instance(e, &scheduler_host);
            let source = if instance.is_empty() {
                e.source.to_string()
            } else {
                format!("{}, {instance}", e.source)
            };
            t.push_str(&format!(
                "{last}\t{}\t{}\t{target}\t{}\t{source}\t{}\t{first}\t{}\t{event_name}\n",
                e.type_,
                e.reason,
                e.field_path.as_deref().unwrap_or(""),
                e.message.trim(),
                e.count
            ));
        } else {
            t.push_str(&format!(
                "{last}\t{}\t{}\t{target}\t{}\n",
                e.type_,
                e.reason,
                e.message.trim()
            ));
        }
    }
    out.out(TabWriter::kubectl().format(&t));
    with_errors(out, &errs)
}

fn with_errors(mut out: Output, errs: &[String]) -> Output {
    for e in errs {
        out.err(format!("{e}\n"));
    }
    if !errs.is_empty() {
        out.code = 1;
    }
    out
}

/// `reportingInstance`: the scheduler's is `default-scheduler-<its host>` (the control-plane
/// node), a kubelet's its node; the controller-manager's recorder sets none.
fn reporting_instance(e: &crate::sim::controllers::Event, scheduler_host: &str) -> String {
    match e.source {
        "default-scheduler" => format!("default-scheduler-{scheduler_host}"),
        _ => e.host.clone().unwrap_or_default(),
    }
}

/// An event as the apiserver serves it (core/v1). The kubelet and the controllers record
/// through client-go's `record` package (count, first and last timestamps, `source`); the
/// scheduler through `events.k8s.io/v1` (an `eventTime` with microseconds, `action`, an empty
/// `source`, and a `series` once it repeats).
fn event_value(
    c: &crate::sim::Cluster,
    e: &crate::sim::controllers::Event,
    scheduler_host: &str,
) -> Value {
    use serde_json::json;
    let kind = crate::sim::controllers::event_kind(e.kind);
    let object = kind.and_then(|k| c.get(k, &e.namespace, &e.name));
    let uid = e
        .involved_uid
        .clone()
        .or_else(|| object.and_then(|o| o.meta().uid.clone()));
    let rv = Some(e.rv.to_string());
    let mut involved = json!({
        "apiVersion": kind.map(Kind::api_version).unwrap_or_else(|| "v1".into()),
        "kind": e.kind,
        "name": e.name,
        "namespace": e.namespace,
    });
    for (key, value) in [
        ("fieldPath", e.field_path.clone()),
        ("resourceVersion", rv),
        ("uid", uid),
    ] {
        if let Some(v) = value {
            involved[key] = Value::String(v);
        }
    }
    let mut v = json!({
        "apiVersion": "v1",
        "involvedObject": involved,
        "kind": "Event",
        "message": e.message,
        "metadata": {
            "creationTimestamp": e.first.rfc3339(),
            "name": e.id,
            "namespace": e.namespace,
            "resourceVersion": e.rv.to_string(),
            "uid": crate::sim::names::uid_for(&e.id),
        },
        "reason": e.reason,
        "reportingComponent": e.source,
        "type": e.type_,
    });
    if e.source == "default-scheduler" {
        let micro = |t: crate::sim::time::SimTime| {
            t.to_datetime()
                .checked_add_signed(k8s_openapi::chrono::TimeDelta::milliseconds(
                    (t.0 % 1000) as i64,
                ))
                .unwrap_or_default()
                .to_rfc3339_opts(k8s_openapi::chrono::SecondsFormat::Micros, true)
        };
        v["action"] = json!(if e.reason == "Scheduled" {
            "Binding"
        } else {
            "Scheduling"
        });
        v["eventTime"] = json!(micro(e.first));
        v["firstTimestamp"] = Value::Null;
        v["lastTimestamp"] = Value::Null;
        v["reportingInstance"] = json!(reporting_instance(e, scheduler_host));
        v["source"] = json!({});
        if e.count > 1 {
            v["series"] = json!({"count": e.count, "lastObservedTime": micro(e.last)});
        }
    } else {
        v["count"] = json!(e.count);
        v["eventTime"] = Value::Null;
        v["firstTimestamp"] = json!(e.first.rfc3339());
        v["lastTimestamp"] = json!(e.last.rfc3339());
        v["reportingInstance"] = json!(reporting_instance(e, scheduler_host));
        v["source"] = match &e.host {
            Some(h) => json!({"component": e.source, "host": h}),
            None => json!({"component": e.source}),
        };
    }
    v
}
