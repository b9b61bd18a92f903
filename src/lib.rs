//! svclab: a Kubernetes Service lab. `sim` is the simulated cluster, `shell` the command
//! interpreter shared by the command line and the browser terminal, `scene` the pure view model,
//! `ui` the Leptos front end (the only layer that touches the browser).

#[cfg(not(target_arch = "wasm32"))]
mod alloc;
#[cfg(not(target_arch = "wasm32"))]
pub use alloc::keep_freed_memory;

/// Native builds (the command line, tests, benches): see Cargo.toml for why.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: alloc::MiMalloc = alloc::MiMalloc;

pub mod scene;
pub mod shell;
pub mod sim;
#[cfg(feature = "ui")]
pub mod ui;
