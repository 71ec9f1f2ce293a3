#!/usr/bin/env bash
# Builds libllama and its ggml libraries from the llama.cpp source that the pinned
# node-llama-cpp npm package ships (llama/gitRelease.bundle), into a folder that
# `--lib-dir` / HEARTH_LIB_DIR accepts. Also builds llama-bench, llama-batched-bench
# and llama-server from the same source, for benchmark comparisons.
#
# Usage: native/build.sh [cpu|cuda|vulkan|metal] [--out DIR] [--native] [--jobs N]
#        native/build.sh mtmd [--lib-dir DIR] [--jobs N]   (see native/build_mtmd.sh)
#   cpu      CPU only (default)
#   cuda     adds the CUDA backend (needs nvcc)
#   vulkan   adds the Vulkan backend (needs the Vulkan SDK headers and glslc)
#   metal    adds the Metal backend (macOS only)
#   --out    where the libraries and tools go (default: dist/llama/<backend>)
#   --native one CPU backend tuned for this machine (-march=native) instead of one
#            per CPU family, as the prebuilt packages do (GGML_CPU_ALL_VARIANTS)
#   --jobs   parallel compile jobs (default: nproc)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# `build.sh mtmd ...`: libmtmd only, against the libllama Hearth uses (native/build_mtmd.sh).
if [ "${1:-}" = mtmd ]; then shift; exec "$root/native/build_mtmd.sh" "$@"; fi
backend=cpu
out=""
native=0
jobs=$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    cpu|cuda|vulkan|metal) backend=$1 ;;
    --out) out=$2; shift ;;
    --native) native=1 ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-$root/dist/llama/$backend}

src=$("$root/native/fetch_source.sh")
for tool in cmake; do
  command -v "$tool" >/dev/null || { echo "build.sh: '$tool' is required" >&2; exit 1; }
done

flags=(
  -DCMAKE_BUILD_TYPE=Release
  -DBUILD_SHARED_LIBS=ON
  -DGGML_BACKEND_DL=ON
  # As the prebuilt packages: ggml's own threadpool, not OpenMP's.
  -DGGML_OPENMP=OFF
  -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_TOOLS=ON
  -DLLAMA_BUILD_SERVER=ON
  -DLLAMA_BUILD_APP=OFF
  -DLLAMA_OPENSSL=OFF
  -DLLAMA_CURL=OFF
)
if [ "$native" = 1 ]; then
  flags+=(-DGGML_NATIVE=ON)
else
  flags+=(-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=ON)
fi
case "$backend" in
  cuda) flags+=(-DGGML_CUDA=ON) ;;
  vulkan) flags+=(-DGGML_VULKAN=ON) ;;
  metal) flags+=(-DGGML_METAL=ON) ;;
esac

build=$(dirname "$src")/build-$backend-$([ "$native" = 1 ] && echo native || echo variants)
cmake -S "$src" -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" --config Release -j "$jobs" \
  --target llama llama-bench llama-batched-bench llama-server
mkdir -p "$out"
find "$build/bin" -maxdepth 1 \( -name '*.so*' -o -name '*.dylib' -o -name '*.dll' \
  -o -name 'llama-bench' -o -name 'llama-batched-bench' -o -name 'llama-server' \) \
  -exec cp -a {} "$out/" \;
echo "build.sh: $backend libraries and tools in $out"
