#!/usr/bin/env bash
# Builds libmtmd (llama.cpp's multimodal library: images for vision models with an mmproj)
# from the pinned llama.cpp source, linked against the libllama that Hearth uses, and puts
# it next to that libllama: by default the prebuilt @node-llama-cpp package that Hearth
# picks for this machine (in Hearth's cache; fetched first if absent). Only libmtmd is
# compiled (native/mtmd/CMakeLists.txt), not libllama or ggml: there is one libllama and
# one ggml in the process. About 15 minutes on 2 cores; does nothing when libmtmd is
# already there. Called as `native/build.sh mtmd`.
#
# Usage: native/build.sh mtmd [--lib-dir DIR] [--jobs N] [--force]
#   --lib-dir  the folder with libllama to build against and install into (a --lib-dir /
#              HEARTH_LIB_DIR folder); default: the prebuilt package Hearth uses here
#   --jobs     parallel compile jobs (default: nproc)
#   --force    build even when DIR already holds libmtmd
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
lib_dir=${HEARTH_LIB_DIR:-}
jobs=$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --lib-dir) lib_dir=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --force) force=1 ;;
    -h|--help) sed -n 2,15p "$0"; exit 0 ;;
    *) echo "build.sh mtmd: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$lib_dir" ]; then
  # The same choice (and first-use fetch) as the engine makes: ffi/lib_dir.ts.
  lib_dir=$(cd "$root" && npx -y deno@2.9.6 eval --quiet \
    'import { locateLibraries } from "./ffi/lib_dir.ts"; console.log((await locateLibraries()).dir);')
fi
[ -d "$lib_dir" ] || { echo "build.sh mtmd: no folder '$lib_dir'" >&2; exit 1; }
lib_dir=$(cd "$lib_dir" && pwd)
case "$(uname -s)" in
  Darwin) ext=dylib ;;
  Linux) ext=so ;;
  *) echo "build.sh mtmd: only Linux and macOS are supported" >&2; exit 1 ;;
esac
if [ "$force" = 0 ] && [ -e "$lib_dir/libmtmd.$ext" ]; then
  echo "build.sh mtmd: $lib_dir/libmtmd.$ext is already there (--force to rebuild)"
  exit 0
fi

# The names ffi/library.ts opens: libllama.so, libllama.v0.4.0.so, libllama.vulkan.v0.4.0.so.
pick() {
  local found
  found=$(cd "$lib_dir" && ls | grep -E "^lib$1(\.[a-z]+)?(\.v[0-9.]+)?\.$ext\$" | head -n 1 || true)
  [ -n "$found" ] || { echo "build.sh mtmd: no lib$1 in $lib_dir" >&2; exit 1; }
  echo "$lib_dir/$found"
}
llama_lib=$(pick llama)
ggml_lib=$(pick ggml)
ggml_base_lib=$(pick ggml-base)

src=$("$root/native/fetch_source.sh")
command -v cmake >/dev/null || { echo "build.sh mtmd: 'cmake' is required" >&2; exit 1; }
# One build folder per libllama folder: each links against its own SONAMEs.
key=$(printf '%s' "$lib_dir" | cksum | cut -d' ' -f1)
build=$(dirname "$src")/build-mtmd-$key
cmake -S "$root/native/mtmd" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_SRC="$src" -DLLAMA_LIB="$llama_lib" -DGGML_LIB="$ggml_lib" \
  -DGGML_BASE_LIB="$ggml_base_lib" >/dev/null
cmake --build "$build" --config Release -j "$jobs" --target mtmd
built=$(find "$build" -name "libmtmd.$ext" | head -n 1)
[ -n "$built" ] || { echo "build.sh mtmd: the build made no libmtmd.$ext" >&2; exit 1; }
# Copy under a temporary name, then rename: a reader never sees half a library.
cp "$built" "$lib_dir/.libmtmd.$ext.partial"
mv "$lib_dir/.libmtmd.$ext.partial" "$lib_dir/libmtmd.$ext"
echo "build.sh mtmd: $lib_dir/libmtmd.$ext (linked against $(basename "$llama_lib"))"
