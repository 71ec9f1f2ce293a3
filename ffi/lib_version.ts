/**
 * The pinned version of the `@node-llama-cpp/<platform>` npm packages that hold the
 * prebuilt libllama and ggml libraries, and of `node-llama-cpp`, whose
 * `llama/gitRelease.bundle` is the exact llama.cpp source of that build (llama.cpp
 * release tag in {@link LLAMA_CPP_RELEASE}). native/build.sh pins the same version.
 *
 * 3.21.1 is the newest version published for every platform: 3.22.x has Linux
 * packages only, and one version must serve all platforms so that one llama.h (one
 * set of struct layouts) fits every library Hearth loads.
 */
export const NODE_LLAMA_CPP_VERSION = "3.21.1";

/** The llama.cpp release the pinned packages were built from (`llama/binariesGithubRelease.json`). */
export const LLAMA_CPP_RELEASE = "v0.4.0";

/** The commit of that llama.cpp source (`git log` of the bundle), as llama-bench's build_commit. */
export const LLAMA_CPP_COMMIT = "80fb11a";
