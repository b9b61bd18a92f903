//! Browser tests (`cargo test --target wasm32-unknown-unknown --test web`): the app mounts, and
//! the core gives the same answers under wasm32 as natively (the fixture below was produced by
//! the native CLI with the same seed).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use svclab::shell::{NoFiles, Shell};
use svclab::sim::Cluster;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn app_shows_the_three_default_nodes() {
    let document = document();
    let container = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&container).unwrap();
    let _handle = leptos::mount::mount_to(
        container.clone().unchecked_into(),
        || view! { <svclab::ui::App/> },
    );
    leptos::task::tick().await;
    let nodes = container.query_selector_all("[data-node]").unwrap();
    assert_eq!(nodes.length(), 3);
    let ready = container
        .query_selector_all("[data-pod][data-ready=\"true\"]")
        .unwrap();
    assert!(ready.length() >= 12);
}

#[wasm_bindgen_test]
fn same_seed_same_output_as_native() {
    let mut sh = Shell::new(Cluster::new(1), Box::new(NoFiles));
    let script = include_str!("cases/seed_pod_hello.yaml");
    let case: serde_json::Value = svclab::sim::yaml::parse_document(script).unwrap();
    let mut stdout = String::new();
    for line in case["script"].as_str().unwrap().lines() {
        stdout.push_str(&sh.run(line).stdout());
    }
    assert_eq!(stdout, case["stdout"].as_str().unwrap());
}
