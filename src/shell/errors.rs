//! How kubectl frames errors (`pkg/cmd/util/helpers.go` `checkErr`, `StandardErrorMessage`,
//! `MultilineError`).

use crate::sim::api::{ApiError, Reason};

/// The text kubectl prints for one API error when it is the only error of the command.
pub fn single(err: &ApiError) -> String {
    if err.reason == Reason::Invalid && !err.causes.is_empty() {
        let kind = err.kind.map(|k| k.name()).unwrap_or("");
        let head = format!("The {kind} \"{}\" is invalid: ", err.name);
        if err.causes.len() == 1 {
            return format!("{head}{}", err.causes[0]);
        }
        let mut s = head;
        for c in &err.causes {
            s.push_str(&format!("\n* {c}"));
        }
        return s;
    }
    format!(
        "Error from server ({}): {}",
        err.reason.as_str(),
        err.message
    )
}

/// With a source file, as `AddSourceToErr` rewrites the message (`error when creating "f.yaml": …`).
pub fn with_source(err: &ApiError, verb: &str, source: &str) -> ApiError {
    let mut e = err.clone();
    e.message = format!("error when {verb} \"{source}\": {}", err.message);
    e
}

/// One line of kubectl's output when several errors happened.
pub fn standard(err: &ApiError) -> String {
    format!(
        "Error from server ({}): {}",
        err.reason.as_str(),
        err.message
    )
}

/// A usage error (`cmdutil.UsageErrorf`).
pub fn usage(command_path: &str, msg: &str) -> String {
    format!("error: {msg}\nSee '{command_path} -h' for help and examples")
}

/// A flag parsing error (`FlagErrorFunc`).
pub fn flag_error(command_path: &str, msg: &str) -> String {
    format!("error: {msg}\nSee '{command_path} --help' for usage.")
}
