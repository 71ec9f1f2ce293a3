#!/usr/bin/env bash
# Builds libllama and its ggml libraries from the llama.cpp source that the pinned
# node-llama-cpp npm package ships (llama/gitRelease.bundle), into a folder that
# `--lib-dir` / HEARTH_LIB_DIR accepts, plus what the prebuilt packages lack: the RPC
# backend (libggml-rpc and the ggml-rpc-server tool) and libmtmd (image input). Also
# builds llama-bench, llama-batched-bench and llama-server from the same source, for
# benchmark comparisons.
#
# Usage: native/build.sh [cpu|cuda|vulkan|metal] [PART...] [--out DIR] [--native]
#                        [--jobs N] [--build-dir DIR]
#        native/build.sh mtmd [--lib-dir DIR] [--jobs N]   (see native/build_mtmd.sh)
#   cpu      CPU only (default)
#   cuda     adds the CUDA backend (needs nvcc)
#   vulkan   adds the Vulkan backend (needs the Vulkan SDK headers and glslc)
#   metal    adds the Metal backend (macOS only)
#   PART     what to build (default: all of them):
#              llama  libllama, libllama-common and the ggml libraries and backends
#              tools  llama-bench, llama-batched-bench, llama-server
#              rpc    libggml-rpc and ggml-rpc-server (GGML_RPC; with the ggml libraries
#                     and CPU backend that ggml-rpc-server serves from)
#              mtmd   libmtmd (multimodal input; links libllama)
#   --out    where the libraries and tools go (default: dist/llama/<backend>)
#   --native one CPU backend with this machine's instruction sets (read from
#            /proc/cpuinfo on x86-64; ggml's -march=native is refused with
#            GGML_BACKEND_DL) instead of one per CPU family, as the prebuilt packages
#            do (GGML_CPU_ALL_VARIANTS); several times faster to build
#   --jobs   parallel compile jobs (default: nproc)
#   --build-dir  CMake's build folder (default: beside the source in the cache)
#
# Libraries get unversioned sonames and an $ORIGIN runpath, as the prebuilt packages
# have, so libggml-rpc.so copied beside a prebuilt libggml-base.so links to it (one
# ggml in the process) and Hearth's `ggml_backend_load_all_from_path` picks it up.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# `build.sh mtmd ...`: libmtmd only, against the libllama Hearth uses (native/build_mtmd.sh).
if [ "${1:-}" = mtmd ]; then shift; exec "$root/native/build_mtmd.sh" "$@"; fi
backend=cpu
out=""
native=0
build=""
parts=()
jobs=$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    cpu|cuda|vulkan|metal) backend=$1 ;;
    llama|tools|rpc|mtmd) parts+=("$1") ;;
    --out) out=$2; shift ;;
    --native) native=1 ;;
    --jobs) jobs=$2; shift ;;
    --build-dir) build=$2; shift ;;
    -h|--help) sed -n 2,31p "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#parts[@]} -gt 0 ] || parts=(llama tools rpc mtmd)
out=${out:-$root/dist/llama/$backend}
has_part() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

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
  # The prebuilt packages' libggml-base.so has no version in its name; libraries
  # built here must ask for that name to share it when placed beside them.
  -DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON
  -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON
  "-DCMAKE_INSTALL_RPATH=\$ORIGIN"
  -DGGML_RPC=ON
  -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_BUILD_EXAMPLES=OFF
  -DLLAMA_BUILD_TOOLS=ON
  -DLLAMA_BUILD_SERVER=ON
  -DLLAMA_BUILD_APP=OFF
  -DLLAMA_OPENSSL=OFF
  -DLLAMA_CURL=OFF
)
if [ "$native" = 1 ]; then
  # ggml refuses GGML_NATIVE with GGML_BACKEND_DL (its CPU feature check needs the
  # explicit flags), so one CPU backend gets this machine's instruction sets by name.
  flags+=(-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=OFF)
  if [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
    cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
    for pair in sse4_2:SSE42 avx:AVX f16c:F16C fma:FMA avx2:AVX2 bmi2:BMI2 \
      avx_vnni:AVX_VNNI avx512f:AVX512 avx512vbmi:AVX512_VBMI avx512_vnni:AVX512_VNNI \
      avx512_bf16:AVX512_BF16; do
      case "$cpu_flags" in
        *" ${pair%%:*} "*) flags+=("-DGGML_${pair#*:}=ON") ;;
        *) flags+=("-DGGML_${pair#*:}=OFF") ;;
      esac
    done
  fi
else
  flags+=(-DGGML_NATIVE=OFF -DGGML_CPU_ALL_VARIANTS=ON)
fi
case "$backend" in
  cuda) flags+=(-DGGML_CUDA=ON) ;;
  vulkan) flags+=(-DGGML_VULKAN=ON) ;;
  metal) flags+=(-DGGML_METAL=ON) ;;
esac

# `ggml` depends on every backend library under GGML_BACKEND_DL (CPU, RPC, GPU).
targets=()
has_part llama && targets+=(llama llama-common ggml)
has_part tools && targets+=(llama-bench llama-batched-bench llama-server)
has_part rpc && targets+=(ggml ggml-rpc ggml-rpc-server)
has_part mtmd && targets+=(mtmd)

build=${build:-$(dirname "$src")/build-$backend-$([ "$native" = 1 ] && echo native || echo variants)}
start=$(date +%s)
cmake -S "$src" -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" --config Release -j "$jobs" --target "${targets[@]}"
mkdir -p "$out"
# Every library built so far (a part's libraries need their neighbours), and the tools.
find "$build/bin" -maxdepth 1 \( -name '*.so' -o -name '*.dylib' -o -name '*.dll' \
  -o -name 'llama-bench' -o -name 'llama-batched-bench' -o -name 'llama-server' \
  -o -name 'ggml-rpc-server' -o -name 'ggml-rpc-server.exe' \) \
  -exec cp -a {} "$out/" \;
echo "build.sh: ${parts[*]} ($backend) in $out after $(( $(date +%s) - start )) s"
