//! The command interpreter: `kubectl`, `minikube`, `curl`-to-come and a few shell built-ins,
//! over one simulated cluster. The command line (`src/bin/svclab.rs`) and the browser terminal
//! both drive this same interpreter, so a command prints the same in both.
//!
//! Invariant: nothing here touches the browser, the clock or the real filesystem; files come
//! through the `Files` trait the front end provides.

mod builtin;
mod complete;
pub mod curl;
mod describe;
pub mod diagnose;
mod errors;
mod flags;
mod get;
mod gotemplate;
mod jsonpath;
mod kubeconfig;
mod kubectl;
mod manifest;
mod minikube;
mod mutate;
mod node_shell;
mod pod_exec;
mod port_forward;
pub mod printers;
mod printf;
mod sortorder;
pub mod tabwriter;
mod trace;
mod wait;
mod words;

use crate::sim::Cluster;
pub use words::{command_lines, split_words};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// What a command printed, in order, and its exit status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    pub chunks: Vec<(Stream, String)>,
    pub code: i32,
}

impl Output {
    pub fn ok() -> Output {
        Output::default()
    }
    pub fn out(&mut self, s: impl Into<String>) {
        let s = s.into();
        if !s.is_empty() {
            self.chunks.push((Stream::Out, s));
        }
    }
    pub fn err(&mut self, s: impl Into<String>) {
        let s = s.into();
        if !s.is_empty() {
            self.chunks.push((Stream::Err, s));
        }
    }
    /// An error line on stderr and exit status 1.
    pub fn fail(msg: impl Into<String>) -> Output {
        let mut o = Output::default();
        let mut m = msg.into();
        if !m.ends_with('\n') {
            m.push('\n');
        }
        o.err(m);
        o.code = 1;
        o
    }
    pub fn stdout(&self) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == Stream::Out)
            .map(|(_, t)| t.as_str())
            .collect()
    }
    pub fn stderr(&self) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == Stream::Err)
            .map(|(_, t)| t.as_str())
            .collect()
    }
    pub fn append(&mut self, other: Output) {
        self.chunks.extend(other.chunks);
        if other.code != 0 {
            self.code = other.code;
        }
    }
}

/// Where `kubectl apply -f FILE` reads files from.
pub trait Files {
    fn read(&self, path: &str) -> Result<String, String>;
}

/// No files at all (the error is what the OS would say).
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        Err(format!("the path \"{path}\" does not exist"))
    }
}

pub struct Shell {
    pub cluster: Cluster,
    pub files: Box<dyn Files>,
    /// The node of an open `minikube ssh` session: lines run on that node until `exit`.
    pub session: Option<String>,
    /// The latest requests' traces (curl, wget), oldest first.
    pub traces: Vec<curl::Trace>,
    next_trace: u64,
    /// The command line being run (for the traces).
    line: String,
    /// `None` where there is no editor (the command line); in the lab, the objects
    /// `kubectl edit` asked the Manifest editor to open, oldest first.
    pub edits: Option<Vec<EditRequest>>,
    /// The documents of the manifests read lately, parsed and decoded.
    documents: manifest::DocumentCache,
    /// Shell variables (`NODE_PORT=…`, `export …`), expanded as `$NAME` and `${NAME}`.
    vars: std::collections::BTreeMap<String, String>,
    /// How deep in `$(…)` the line being run is (bounded: any text typed is safe to run).
    nesting: u8,
    /// The processes left running on the trainer's machine, oldest first: Ctrl-C stops the
    /// newest one still running.
    pub jobs: Vec<Job>,
    /// The exit status of the last command (`$?`).
    last_code: i32,
    /// Files written by redirections (`kubectl create … -o yaml > web.yaml`), read back by
    /// `cat` and `kubectl apply -f` before the files of the machine.
    pub written: std::collections::BTreeMap<String, String>,
    /// The kubeconfig `minikube start` wrote: which context (cluster, user, namespace) kubectl
    /// uses.
    pub kubeconfig: kubeconfig::KubeConfig,
    /// The standard input of the command being run: the previous command's output in a
    /// pipeline, a `< FILE`, or a here-document.
    stdin: Option<String>,
    /// The body of the here-document the line being run opened.
    heredoc: Option<String>,
    /// While the Manifest editor's text is applied: it reaches the lab's cluster and puts
    /// objects without a namespace in `default`, whatever context the terminal switched to.
    in_default_namespace: bool,
}

/// A long-running command the lab keeps running while other commands are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Tunnel,
    /// a `kubectl port-forward`, by its pid
    PortForward(u32),
}

/// An object `kubectl edit` opens in the lab's Manifest editor: its YAML as `kubectl edit`
/// shows it, without the fields the server owns.
#[derive(Debug, Clone, PartialEq)]
pub struct EditRequest {
    pub kind: crate::sim::object::Kind,
    pub namespace: String,
    pub name: String,
    pub yaml: String,
}

impl Shell {
    pub fn new(cluster: Cluster, files: Box<dyn Files>) -> Shell {
        Shell {
            cluster,
            files,
            session: None,
            traces: Vec::new(),
            next_trace: 1,
            line: String::new(),
            edits: None,
            documents: Default::default(),
            vars: Default::default(),
            nesting: 0,
            jobs: Vec::new(),
            last_code: 0,
            written: std::collections::BTreeMap::new(),
            kubeconfig: Default::default(),
            stdin: None,
            heredoc: None,
            in_default_namespace: false,
        }
    }

    /// Runs a line with minikube's own context, whatever `kubectl config` changed: the lab's
    /// Manifest editor declares its objects in `default` on the lab's cluster, and a context
    /// switched in the terminal must neither move them nor cut the editor off.
    pub fn run_in_default_namespace(&mut self, line: &str) -> Output {
        self.in_default_namespace = true;
        let out = self.run(line);
        self.in_default_namespace = false;
        out
    }

    /// Keeps a request's trace (at least the last 1,200: the lab draws up to 1,000 in flight;
    /// the oldest go in batches, not one move of the whole list per request).
    pub(crate) fn record(&mut self, mut t: curl::Trace) {
        t.id = self.next_trace;
        self.next_trace += 1;
        self.traces.push(t);
        if self.traces.len() >= 1500 {
            self.traces.drain(..300);
        }
    }

    /// A redirection's text into the lab's files (`>` replaces, `>>` appends).
    fn write_files(&mut self, writes: words::Writes) {
        for (path, append, text) in writes {
            let file = self.written.entry(path).or_default();
            if !append {
                file.clear();
            }
            file.push_str(&text);
        }
    }

    /// A file's text: one a redirection wrote, else the machine's; `-` is the standard input.
    pub fn read_file(&self, path: &str) -> Result<String, String> {
        if path == "-" {
            return self.stdin.clone().ok_or_else(|| {
                "svclab: the command would wait for its standard input: pipe it (cat web.yaml | kubectl apply -f -), redirect it (< web.yaml) or give a here-document".to_string()
            });
        }
        match self.written.get(words::lab_path(path)) {
            Some(text) => Ok(text.clone()),
            None => self.files.read(path),
        }
    }

    /// The prompt a terminal shows before the next line.
    pub fn prompt(&self) -> String {
        match &self.session {
            Some(node) => format!("docker@{node}:~$ "),
            None => "$ ".into(),
        }
    }

    /// Ctrl-C at the prompt: stops the newest of the long-running processes the lab keeps going
    /// while other commands are typed, as in a second terminal (`minikube tunnel`, whose cleanup
    /// takes the ingress back, and `kubectl port-forward`). Returns whether something stopped.
    pub fn interrupt(&mut self) -> bool {
        while let Some(job) = self.jobs.pop() {
            match job {
                Job::Tunnel if self.cluster.tunnel.is_some() => {
                    self.cluster.stop_tunnel();
                    return true;
                }
                Job::PortForward(pid) if self.cluster.stop_port_forward(pid) => return true,
                _ => {}
            }
        }
        false
    }

    /// Runs one command line: a list of pipelines joined by `;`, `&&`, `||` or `&`, as bash
    /// runs it (the exit status is the last command's that ran).
    pub fn run(&mut self, line: &str) -> Output {
        // a line that opens a here-document comes with the document's lines and its delimiter
        if let Some((head, rest)) = line.split_once('\n') {
            if let Some(word) = words::heredoc_delimiter(head) {
                let mut body = String::new();
                let mut after = Vec::new();
                let mut closed = false;
                for l in rest.lines() {
                    if closed {
                        after.push(l);
                    } else if l.trim_start_matches('\t') == word {
                        closed = true;
                    } else {
                        body.push_str(l);
                        body.push('\n');
                    }
                }
                self.heredoc = Some(body);
                let mut out = self.run(head);
                self.heredoc = None;
                for l in after.into_iter().filter(|l| !l.trim().is_empty()) {
                    let o = self.run(l);
                    out.chunks.extend(o.chunks);
                    out.code = o.code;
                }
                return out;
            }
        }
        let first = line.split_whitespace().next().unwrap_or("");
        if !line.contains([';', '&', '|']) && !matches!(first, "for" | "do" | "done") {
            let o = self.run_one(line);
            self.last_code = o.code;
            return o;
        }
        let list = match words::split_list(line).and_then(|l| words::group_loops(&l)) {
            Ok(l) => l,
            Err(e) => {
                return Output {
                    chunks: vec![(Stream::Err, format!("svclab: {e}\n"))],
                    code: 2,
                }
            }
        };
        let mut out = Output {
            code: self.last_code,
            ..Output::default()
        };
        self.run_list(&list, &mut out);
        out
    }

    /// Runs a list's commands as their joins say, appending what they print to `out` (whose
    /// code is the status so far).
    fn run_list(&mut self, list: &[words::Command], out: &mut Output) {
        for (join, cmd) in list {
            let run = match join {
                words::Join::Always => true,
                words::Join::And => out.code == 0,
                words::Join::Or => out.code != 0,
            };
            if !run {
                continue;
            }
            match cmd {
                words::Compound::Simple(line) => {
                    let o = self.run_one(line);
                    out.chunks.extend(o.chunks);
                    out.code = o.code;
                    self.last_code = o.code;
                }
                words::Compound::For {
                    var,
                    words: list_text,
                    body,
                } => {
                    // the word list is expanded once, before the first pass (bash's order)
                    let mut inner_err = Vec::new();
                    let expanded = self.expand(list_text, false, &mut inner_err);
                    for e in inner_err {
                        out.err(e);
                    }
                    let values = match expanded.and_then(|t| words::split_words(&t)) {
                        Ok(v) => v,
                        Err(e) => {
                            out.err(format!("svclab: {e}\n"));
                            out.code = 1;
                            continue;
                        }
                    };
                    out.code = 0;
                    for v in values {
                        self.vars.insert(var.clone(), v);
                        self.run_list(body, out);
                    }
                    self.last_code = out.code;
                }
            }
        }
    }

    /// `$VAR`, `$?` and `$(…)` expanded in a text; what the substitutions wrote to stderr is
    /// collected in `inner_err`.
    fn expand(
        &mut self,
        text: &str,
        at_command_start: bool,
        inner_err: &mut Vec<String>,
    ) -> Result<String, String> {
        if self.nesting >= 8 {
            return Err("command substitutions nested too deeply".into());
        }
        let vars = self.vars.clone();
        let last = self.last_code.to_string();
        let lookup = |name: &str| {
            if name == "?" {
                Some(last.clone())
            } else {
                vars.get(name).cloned()
            }
        };
        words::substitute(text, at_command_start, &lookup, &mut |cmd| {
            self.nesting += 1;
            let o = self.run(cmd);
            self.nesting -= 1;
            inner_err.extend(
                o.chunks
                    .iter()
                    .filter(|(s, _)| *s == Stream::Err)
                    .map(|(_, t)| t.clone()),
            );
            o.stdout()
        })
    }

    /// Runs one pipeline (a command and simple filters), its `$(…)` expanded first.
    fn run_one(&mut self, line: &str) -> Output {
        // `$(…)` runs first, as in bash: what it prints stands in its place, and what it
        // writes to stderr comes before the command's own output
        let mut inner_err = Vec::new();
        let expanded;
        let line = if line.contains('$') {
            match self.expand(line, true, &mut inner_err) {
                Ok(l) => {
                    expanded = l;
                    expanded.as_str()
                }
                Err(e) => return Output::fail(format!("svclab: {e}")),
            }
        } else {
            line
        };
        let mut out = self.run_expanded(line);
        if !inner_err.is_empty() {
            let mut chunks: Vec<(Stream, String)> =
                inner_err.into_iter().map(|t| (Stream::Err, t)).collect();
            chunks.append(&mut out.chunks);
            out.chunks = chunks;
        }
        out
    }

    fn run_expanded(&mut self, line: &str) -> Output {
        let pipeline = match words::split_pipeline(line) {
            Ok(p) => p,
            Err(e) => return Output::fail(format!("svclab: {e}")),
        };
        let mut pipeline = pipeline;
        let redirections: Vec<Vec<String>> =
            pipeline.iter_mut().map(words::take_redirections).collect();
        if pipeline.is_empty() {
            return Output::ok();
        }
        self.line = line.trim().to_string();
        let mut out: Option<Output> = None;
        for (stage, r) in pipeline.iter().zip(&redirections) {
            // the stage's standard input: its own `<` or here-document, else the previous
            // stage's output (whose errors went to the terminal already)
            let mut input = match self.stage_input(r) {
                Ok(i) => i.map(|text| {
                    let mut o = Output::ok();
                    o.out(text);
                    o
                }),
                Err(e) => return Output::fail(e),
            };
            let mut passed = Vec::new();
            if let Some(prev) = out.take() {
                if input.is_none() {
                    let mut piped = Output::ok();
                    for (s, t) in prev.chunks {
                        match s {
                            Stream::Out => piped.out(t),
                            Stream::Err => passed.push((s, t)),
                        }
                    }
                    input = Some(piped);
                } else {
                    passed.extend(prev.chunks.into_iter().filter(|(s, _)| *s == Stream::Err));
                }
            }
            let ran = match (stage.first().map(String::as_str), input) {
                (Some(cmd), Some(input)) if words::is_filter(cmd) => words::filter(stage, input),
                (_, input) => {
                    self.stdin = input.map(|i| i.stdout());
                    let o = self.run_words(stage);
                    self.stdin = None;
                    o
                }
            };
            let (mut o, writes) = words::redirect(ran, r);
            self.write_files(writes);
            passed.append(&mut o.chunks);
            o.chunks = passed;
            out = Some(o);
        }
        out.unwrap_or_default()
    }

    /// The standard input a pipeline stage's own redirections give it.
    fn stage_input(&self, redirections: &[String]) -> Result<Option<String>, String> {
        let mut input = None;
        for r in redirections {
            if r == "<<" {
                input = Some(self.heredoc.clone().unwrap_or_default());
            } else if let Some(path) = r.strip_prefix('<') {
                input = Some(
                    self.read_file(path)
                        .map_err(|_| format!("bash: {path}: No such file or directory"))?,
                );
            }
        }
        Ok(input)
    }

    fn run_words(&mut self, w: &[String]) -> Output {
        let Some(cmd) = w.first() else {
            return Output::ok();
        };
        if let Some(node) = self.session.clone() {
            return node_shell::run(self, &node, w);
        }
        // `NAME=value …` alone sets shell variables, as does `export NAME=value …`
        let assigns = match cmd.as_str() {
            "export" => &w[1..],
            _ => w,
        };
        if !assigns.is_empty() && assigns.iter().all(|a| words::assignment(a).is_some()) {
            for (name, value) in assigns.iter().filter_map(|a| words::assignment(a)) {
                self.vars.insert(name.to_string(), value.to_string());
            }
            return Output::ok();
        }
        let args = &w[1..];
        match cmd.as_str() {
            "kubectl" | "k" => kubectl::run(self, args),
            "minikube" => minikube::run(self, args),
            "echo" => {
                let (newline, rest) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                let mut o = Output::ok();
                o.out(format!(
                    "{}{}",
                    rest.join(" "),
                    if newline { "\n" } else { "" }
                ));
                o
            }
            "printf" => printf::run(args),
            "sleep" => match args.first().and_then(|a| parse_seconds(a)) {
                Some(ms) => {
                    self.cluster.advance(ms);
                    Output::ok()
                }
                None => Output::fail(format!(
                    "sleep: invalid time interval '{}'\nTry 'sleep --help' for more information.",
                    args.first().map(String::as_str).unwrap_or("")
                )),
            },
            "curl" => {
                // the trainer's own machine, outside the cluster
                let env = curl::Env {
                    client: crate::sim::proxy::walk::Client::Outside,
                    flavor: curl::Flavor::V8_5,
                    tty: true,
                    resolver: curl::Resolver::HostsOnly(Vec::new()),
                };
                let line = self.line.clone();
                curl::curl(self, &env, args, &line)
            }
            "svclab" => trace::run(self, args),
            "cat" => {
                let mut o = Output::ok();
                if args.is_empty() {
                    o.out(self.stdin.clone().unwrap_or_default());
                }
                for f in args {
                    match self.read_file(f) {
                        Ok(text) => o.out(text),
                        Err(_) => {
                            o.err(format!("cat: {f}: No such file or directory\n"));
                            o.code = 1;
                        }
                    }
                }
                o
            }
            "true" => Output::ok(),
            "false" => Output {
                code: 1,
                ..Output::default()
            },
            "clear" => Output::ok(),
            other => Output {
                chunks: vec![(Stream::Err, format!("svclab: command not found: {other}\n"))],
                code: 127,
            },
        }
    }
}

/// `sleep` arguments: `5`, `0.5`, `2s`, `1m`, `1h`.
fn parse_seconds(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1000.0),
        'm' => (&s[..s.len() - 1], 60_000.0),
        'h' => (&s[..s.len() - 1], 3_600_000.0),
        'd' => (&s[..s.len() - 1], 86_400_000.0),
        _ => (s, 1000.0),
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * mult).round() as u64)
}
