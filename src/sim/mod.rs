//! The core: a simulated Kubernetes cluster.
//!
//! Invariants (checked by `tests/architecture.rs`): this layer never names leptos, web_sys,
//! wasm_bindgen, js_sys or gloo; it never reads a clock (time arrives through
//! `Cluster::advance`) and never calls getrandom (all randomness comes from the cluster's seeded
//! ChaCha8 generator). Everything whose order can reach an output lives in ordered collections.

pub mod alloc;
pub mod api;
pub mod bootstrap;
pub mod cluster;
pub mod controllers;
pub mod defaults;
pub mod dns;
pub mod endpoints;
pub mod envvars;
pub mod field;
pub mod fields;
pub mod http;
pub(crate) mod index;
pub mod json_de;
pub mod kubelet;
pub mod kubeproxy;
pub mod labels;
pub mod lb;
pub mod merge;
pub mod names;
pub mod net;
pub mod object;
pub mod order;
pub mod portforward;
pub mod programs;
pub mod proxy;
pub(crate) mod store;
pub mod time;
pub mod validate;
pub mod yaml;
mod yaml_fast;
pub mod yaml_tokens;

pub use cluster::{ApplyResult, Cluster, ObjKey};
pub use object::{Kind, Object};
