//! Errors as the apiserver returns them (`metav1.Status`): a reason, a message, and for `Invalid`
//! the field causes. How kubectl frames them is the shell's business.

use crate::sim::field::{aggregate, FieldError};
use crate::sim::object::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Invalid,
    AlreadyExists,
    NotFound,
    BadRequest,
    InternalError,
    Conflict,
    Forbidden,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Invalid => "Invalid",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::NotFound => "NotFound",
            Reason::BadRequest => "BadRequest",
            Reason::InternalError => "InternalError",
            Reason::Conflict => "Conflict",
            Reason::Forbidden => "Forbidden",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub reason: Reason,
    pub message: String,
    /// For `Invalid`: the object's kind and name and the field errors.
    pub kind: Option<Kind>,
    pub name: String,
    pub causes: Vec<FieldError>,
}

impl ApiError {
    /// `NewInvalid`: `Service "x" is invalid: <aggregate>`, the kind qualified by its group
    /// (`Deployment.apps "x" is invalid`).
    pub fn invalid(kind: Kind, name: &str, causes: Vec<FieldError>) -> Self {
        let texts: Vec<String> = causes.iter().map(|c| c.to_string()).collect();
        ApiError {
            reason: Reason::Invalid,
            message: format!(
                "{} \"{}\" is invalid: {}",
                kind.group_kind(),
                name,
                aggregate(&texts)
            ),
            kind: Some(kind),
            name: name.to_string(),
            causes,
        }
    }
    /// `NewNotFound`: `pods "x" not found`.
    pub fn not_found(kind: Kind, name: &str) -> Self {
        ApiError {
            reason: Reason::NotFound,
            message: format!("{} \"{}\" not found", kind.group_resource(), name),
            kind: Some(kind),
            name: name.to_string(),
            causes: Vec::new(),
        }
    }
    pub fn namespace_not_found(ns: &str) -> Self {
        ApiError {
            reason: Reason::NotFound,
            message: format!("namespaces \"{ns}\" not found"),
            kind: Some(Kind::Namespace),
            name: ns.to_string(),
            causes: Vec::new(),
        }
    }
    /// `NewAlreadyExists`: `services "x" already exists`.
    pub fn already_exists(kind: Kind, name: &str) -> Self {
        ApiError {
            reason: Reason::AlreadyExists,
            message: format!("{} \"{}\" already exists", kind.group_resource(), name),
            kind: Some(kind),
            name: name.to_string(),
            causes: Vec::new(),
        }
    }
    pub fn bad_request(message: String) -> Self {
        ApiError {
            reason: Reason::BadRequest,
            message,
            kind: None,
            name: String::new(),
            causes: Vec::new(),
        }
    }
    pub fn internal(message: String) -> Self {
        ApiError {
            reason: Reason::InternalError,
            message: format!("Internal error occurred: {message}"),
            kind: None,
            name: String::new(),
            causes: Vec::new(),
        }
    }
    pub fn forbidden(message: String) -> Self {
        ApiError {
            reason: Reason::Forbidden,
            message,
            kind: None,
            name: String::new(),
            causes: Vec::new(),
        }
    }
}
