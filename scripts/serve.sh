#!/usr/bin/env bash
# Serves the lab at http://127.0.0.1:8080/ (release build). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="${CARGO_INSTALL_ROOT:-$CARGO_HOME}/bin:$CARGO_HOME/bin:$PATH"
exec trunk serve --release --offline
