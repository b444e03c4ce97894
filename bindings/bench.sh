#!/usr/bin/env bash
# Per-event overhead of the C, Python and Node bindings against native Rust, in one
# run (the machine may be noisy: compare figures from the same run only). Builds in
# release mode; run scripts/test-bindings once first to set up the Python virtual
# environment and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
jobs="${CARGO_BUILD_JOBS:-2}"

cargo build -j"$jobs" --release --locked -p callroute-python -p callroute-c
(cd bindings/python && .venv/bin/maturin build -q --release -j"$jobs" --locked -o "$target/wheels-release")
bindings/python/.venv/bin/pip install -q --force-reinstall --no-deps "$target"/wheels-release/callroute-*-abi3-*.whl
(cd bindings/node && npx napi build --platform --release --js index.js --dts index.d.ts)

echo "== native Rust and C (criterion: time per input, middle estimate)"
cargo bench -j"$jobs" --locked -p callroute-c --bench overhead 2>&1 | grep -E "round trip|time:"
echo "== Python"
bindings/python/.venv/bin/python bindings/python/bench/overhead.py
echo "== Node"
node bindings/node/bench/overhead.mjs
