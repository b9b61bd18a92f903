//! The browser entry point (built by Trunk for wasm32).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(svclab::ui::App);
    svclab::ui::mark("svclab:mounted");
}
