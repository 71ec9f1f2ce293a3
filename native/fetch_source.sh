#!/usr/bin/env bash
# Prints the path of the llama.cpp source that the pinned node-llama-cpp npm package
# ships (llama/gitRelease.bundle), fetching and cloning it into the cache on first use.
# Used by build.sh and by the struct layout test (for include/llama.h).
set -euo pipefail

# Pinned with the @node-llama-cpp/* packages in ffi/lib_version.ts.
NODE_LLAMA_CPP_VERSION=3.21.1

cache=${HEARTH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hearth}/llama-src
src=$cache/node-llama-cpp-$NODE_LLAMA_CPP_VERSION/llama.cpp
if [ ! -f "$src/include/llama.h" ]; then
  for tool in git npm tar; do
    command -v "$tool" >/dev/null || { echo "fetch_source.sh: '$tool' is required" >&2; exit 1; }
  done
  mkdir -p "$(dirname "$src")"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "fetch_source.sh: fetching node-llama-cpp@$NODE_LLAMA_CPP_VERSION from npm" >&2
  (cd "$tmp" && npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null)
  tar -xzf "$tmp"/node-llama-cpp-*.tgz -C "$tmp" package/llama/gitRelease.bundle
  rm -rf "$src.partial"
  git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$src.partial"
  rm -rf "$src"
  mv "$src.partial" "$src"
fi
echo "$src"
