#!/usr/bin/env bash
# Fetch a Node.js release from the npm registry (the node-linux-<arch> package:
# the official binary, no install script) and print the directory holding its
# `node`, to put first on PATH:
#
#   bin=$(bash scripts/ci-node.sh 24) && PATH="$bin:$PATH" npm test
#
# Usage: ci-node.sh <major> [<dir>]   (dir default: a new temp directory)
# Needs only npm and tar: CI reaches the npm registry, not nodejs.org.
set -euo pipefail
major="${1:?usage: ci-node.sh <major> [<dir>]}"
dir="${2:-$(mktemp -d "${TMPDIR:-/tmp}/containrlab-node$major.XXXXXX")}"
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ci-node: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$dir"
# npm pack downloads the tarball (through npm's cache) and prints its file name; no script runs.
tarball="$(cd "$dir" && npm pack "node-linux-$arch@$major" --silent | tail -n 1)"
tar -xzf "$dir/$tarball" -C "$dir"
rm -f "$dir/$tarball"
bin="$dir/package/bin"
version="$("$bin/node" --version)"
case "$version" in
  "v$major".*) ;;
  *) echo "ci-node: $bin/node --version says $version, not v$major.x" >&2; exit 1 ;;
esac
echo "ci-node: node $version in $bin" >&2
echo "$bin"
