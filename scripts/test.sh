#!/usr/bin/env bash
# Every test svclab has, in the order CI runs them. Installs what is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="${CARGO_INSTALL_ROOT:-$CARGO_HOME}/bin:$CARGO_HOME/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --check

step "clippy (native, all targets)"
cargo clippy --offline --all-targets -- -D warnings

step "clippy (wasm32: library and web app)"
cargo clippy --offline --target wasm32-unknown-unknown --lib --bin svclab-web -- -D warnings

step "native tests (the core, the interpreter, the CLI fixtures, the layering)"
cargo test --offline

step "core without the UI feature (proves sim/scene/shell build without leptos)"
cargo test --offline --no-default-features --lib

step "wasm-bindgen tests in headless Chromium"
cargo test --offline --target wasm32-unknown-unknown --test web

step "trunk build --release"
trunk build --release --offline

step "browser end-to-end tests (Playwright, Debian's Chromium)"
(cd tests/e2e && npx playwright test)
