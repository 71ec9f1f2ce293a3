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

/**
 * The sha512 integrity (as the npm registry's `dist.integrity` gives it) of each
 * `@node-llama-cpp/<name>` package at {@link NODE_LLAMA_CPP_VERSION}: ffi/prebuilt.ts
 * refuses a download whose bytes differ. `*-cuda-ext` packages hold the CUDA runtime
 * that their `*-cuda` sibling loads.
 */
export const PREBUILT_INTEGRITY: Readonly<Record<string, string>> = {
  "linux-arm64":
    "sha512-eI3anSEGzJiwF2rpMpZVTdHzw47LztbvfvuRzlu/fPO18ROnBOd+75RPUBlV6qENPpmNtbov85+3VODwEwBurg==",
  "linux-x64-cuda-ext":
    "sha512-1PuURowccBcks3CCoMe1mTHh5vD0V5bFHMUEgtbI/OSDjpP+Pdbn+lf42CGUrepTzR8kCH1HovQ7d8q6/vuIKA==",
  "linux-x64-cuda":
    "sha512-idsE55VoD/FbvLhnBC9krUJaUoC0XnebseAAnCpm/brKf61HEbu+idgbb5eN6mxkjLSrHtILprJ0nDcUJjVrFg==",
  "linux-x64-vulkan":
    "sha512-flEeSzONQ6OIm5bYKLQf4eEnBzcC5WugFbyPUwkCqyyOFZ8pH0H9ulQ7ZNDLSIczeKneMRJornlyY1Hq7d3GDA==",
  "linux-x64":
    "sha512-Totj6RTDMGo3FoK2yNUaz/oGmZD0olAqTrRluFUWmu0kW2i9TOzHSW0OWCAiGkzRCVX0WsU2CyUQo/W2NYtdPA==",
  "mac-arm64-metal":
    "sha512-6MIDAZV7DXD9R1+jEXWJkFuolni3GATGE6mmuyFYc6ZmtOh9djAy15df0T0AXK3sCmVKL+fQcOAWZezxx4MvQQ==",
  "mac-x64":
    "sha512-Q4nyNmbcNiKygBZQZjX+qLk2w3YzoiFpLWsxNURQN7xjyUi2p2rWxjRa7Otg0FrjGf/ri4aQ+X3Uj5Y0zD06eg==",
  "win-arm64":
    "sha512-/UDR7Y0B8iKfc/tqxBmWkcgRdZQ9Wrkwod7fYl4J6iZXcTIj286RkHvZSED7VMY67TrcUXVvxJVMNFtmjeYnDg==",
  "win-x64-cuda-ext":
    "sha512-L2MxLVEYPDDe4O8EDWPmX6brldc9+Vt9hNoT/anj3pSnmrjkQcmaoKhHs6oP5qhEhb5Uog0rj6lgzNGtJO3p9Q==",
  "win-x64-cuda":
    "sha512-PLz70neFEMkQTlmJqG1ujUtCSgHasLPMxQ9rLkqQVmZYAXqkRj+45TIHCjdn3XqUeaoun0vrO9rRaxZ8NVq9jg==",
  "win-x64-vulkan":
    "sha512-HJ237Azh5m4Sz+w3A1IU/fYLaSDOocskcfn2ILTgqTuuORCB86EMnu3Yt/XsNhRHTtEiwz1Q/E0mO4PLIbZLAA==",
  "win-x64":
    "sha512-JcIpCnra7bAd7JNWA8ehdn2DIRaTMuj+fBC8bw+5rKSNzszWFbuj2XA05c5QHovonDMBLN1ePXE/hcfZtzXoUQ==",
};
