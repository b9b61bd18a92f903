#!/usr/bin/env bash
# Installs whatever svclab's build and tests need and is missing; quick when nothing is.
# Debian bookworm, root, registries only (crates.io, Debian, npm): no prebuilt downloads.
# Facts behind each step: ../shared/TOOLCHAIN.md.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than the machine's
BINARYEN_NPM_VERSION=132.0.0   # Debian's wasm-opt 108 produces a blank page
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
BIN="${CARGO_INSTALL_ROOT:-$CARGO_HOME}/bin"
export PATH="$BIN:$CARGO_HOME/bin:$PATH"

say() { printf '==> %s\n' "$*"; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || {
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}
rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "apt-get install chromium chromium-driver"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

if dpkg -s binaryen >/dev/null 2>&1; then
  # It would own /usr/bin/wasm-opt, and its version 108 breaks the app at start-up.
  DEBIAN_FRONTEND=noninteractive apt-get remove -y binaryen
fi
if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_NPM_VERSION%%.*} "; then
  say "npm install -g binaryen@$BINARYEN_NPM_VERSION"
  npm install -g --no-audit --no-fund "binaryen@$BINARYEN_NPM_VERSION"
  hash -r
fi

if [ "$("$BIN/trunk" --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (several minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

cargo fetch --locked >/dev/null 2>&1 || cargo fetch --locked

WB_VERSION=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$WB_VERSION" ] || { echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
if [ "$("$BIN/wasm-bindgen" --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ] \
  || [ "$("$BIN/wasm-bindgen-test-runner" --version 2>/dev/null)" != "wasm-bindgen-test-runner $WB_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WB_VERSION (a few minutes, once)"
  if ! cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --force; then
    # Its lock pins a webpki-roots the registry here lacks: rebuild the downloaded .crate with
    # only that crate stepped back, everything else locked.
    crate=$(ls "$CARGO_HOME"/registry/cache/*/"wasm-bindgen-cli-$WB_VERSION.crate" | head -n1)
    src=$(mktemp -d)
    tar xzf "$crate" -C "$src"
    (
      cd "$src/wasm-bindgen-cli-$WB_VERSION"
      cargo update -p webpki-roots --precise 1.0.10
      cargo install --path . --locked --force --root "${CARGO_INSTALL_ROOT:-$CARGO_HOME}"
    )
    rm -rf "$src"
  fi
fi

if [ ! -d tests/e2e/node_modules/@playwright/test ]; then
  say "npm ci (playwright-core, @playwright/test; no browser download)"
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi
