//! The command line as the outside checks use it: every `tests/cases/*.yaml` fixture runs the
//! `svclab` binary (files written to a scratch directory, the script on standard input) and
//! compares stdout, stderr and the exit status exactly.
//!
//! `SVCLAB_BLESS=1 cargo test --test cli` rewrites the expectations of the fixtures from the
//! current output; review the diff before committing it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// What the case shows, as a sentence.
    about: String,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// Arguments before the script (`-f`, `--`).
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    script: String,
    stdout: Option<String>,
    stderr: Option<String>,
    exit: Option<i32>,
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case =
        serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = scratch_dir(path);
    for (name, content) in &case.files {
        std::fs::write(dir.join(name), content).map_err(|e| e.to_string())?;
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_svclab"));
    cmd.current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(seed) = case.seed {
        cmd.arg("--seed").arg(seed.to_string());
    }
    cmd.args(&case.args);
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .map(|mut s| s.write_all(case.script.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    if std::env::var("SVCLAB_BLESS").is_ok() {
        bless(path, &text, &stdout, &stderr, code);
        return Ok(());
    }
    let mut problems = Vec::new();
    if let Some(want) = &case.stdout {
        if *want != stdout {
            problems.push(format!(
                "stdout differs:\n--- want\n{want}--- got\n{stdout}---"
            ));
        }
    }
    if let Some(want) = &case.stderr {
        if *want != stderr {
            problems.push(format!(
                "stderr differs:\n--- want\n{want}--- got\n{stderr}---"
            ));
        }
    }
    let want_code = case.exit.unwrap_or(0);
    if want_code != code {
        problems.push(format!(
            "exit status {code}, want {want_code}\nstderr:\n{stderr}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} ({}):\n{}",
            path.display(),
            case.about,
            problems.join("\n")
        ))
    }
}

fn scratch_dir(path: &Path) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("svclab-cli-{}", std::process::id()))
        .join(path.file_stem().unwrap_or_default());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Rewrites the stdout/stderr/exit keys at the end of a fixture, keeping everything above them.
fn bless(path: &Path, text: &str, stdout: &str, stderr: &str, code: i32) {
    let cut = ["\nstdout:", "\nstderr:", "\nexit:"]
        .iter()
        .filter_map(|k| text.find(k))
        .min()
        .unwrap_or(text.trim_end().len());
    let mut out = text[..cut].trim_end().to_string();
    out.push('\n');
    for (key, value) in [("stdout", stdout), ("stderr", stderr)] {
        out.push_str(&block(key, value));
    }
    out.push_str(&format!("exit: {code}\n"));
    std::fs::write(path, out).expect("bless");
}

fn block(key: &str, value: &str) -> String {
    if value.is_empty() {
        return format!("{key}: \"\"\n");
    }
    // a block scalar cannot hold carriage returns (curl -i's CRLF), trailing blanks, or more
    // than one final line break (`|` clips them)
    if !value.ends_with('\n')
        || value.ends_with("\n\n")
        || value.contains('\r')
        || value
            .lines()
            .any(|l| l.starts_with(' ') || l.starts_with('\t'))
            && value.lines().next().is_some_and(|l| l.starts_with(' '))
    {
        return format!(
            "{key}: {}\n",
            serde_json::to_string(value).unwrap_or_default()
        );
    }
    let mut s = format!("{key}: |\n");
    for line in value.lines() {
        if line.is_empty() {
            s.push('\n');
        } else {
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

#[test]
fn cli_fixtures() {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases"))
            .expect("tests/cases")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures found");
    let failures: Vec<String> = paths.iter().filter_map(|p| run_case(p).err()).collect();
    if !failures.is_empty() {
        panic!(
            "{} of {} fixtures failed:\n\n{}",
            failures.len(),
            paths.len(),
            failures.join("\n\n")
        );
    }
}
