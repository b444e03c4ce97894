#!/usr/bin/env bash
# Installs the C library, its header and its pkg-config file under PREFIX.
# Usage: bindings/c/install.sh PREFIX [PROFILE_DIR]
#   PROFILE_DIR: where cargo left libcallroute_c.{so,a} (default: target/release).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${1:?usage: install.sh PREFIX [PROFILE_DIR]}"
libs="${2:-${CARGO_TARGET_DIR:-$here/../../target}/release}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
cp "$libs/libcallroute_c.so" "$libs/libcallroute_c.a" "$prefix/lib/"
cp "$here/include/callroute.h" "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$here/callroute.pc.in" >"$prefix/lib/pkgconfig/callroute.pc"
