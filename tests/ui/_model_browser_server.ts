/**
 * The in-test server of the model browser render test: the built bundle plus fixed answers
 * for the library, fit, verify, delete, hub and download routes, an `/api/events` stream the
 * test pushes into, and a log of the API requests it received.
 *
 * @module
 */
import type {
  Download,
  HubFileMetadata,
  HubModel,
  HubRepo,
  LibraryEntry,
  MemoryFit,
  Settings,
} from "../../api/types.ts";
import { json, serveBundle, sse } from "./_page_server.ts";

/** A library file with defaults for what the test does not care about. */
function entry(id: string, path: string, extra: Partial<LibraryEntry>): LibraryEntry {
  return {
    id,
    path,
    name: path.split("/").pop()!.replace(/\.gguf$/, ""),
    kind: "model",
    size_bytes: 1024,
    architecture: null,
    quantization: null,
    n_params: null,
    context_length: null,
    n_layer: null,
    has_chat_template: false,
    license: null,
    base_model: null,
    source: "folder",
    hf_repo: null,
    sha256: null,
    verified_at: null,
    broken_reason: null,
    bundled: false,
    ...extra,
  };
}

const SMOL_SHA = "5b1e6a8d".repeat(8);
const LLAMA_SHA = "11a3a70b".repeat(8);
const HF = "/home/me/.cache/huggingface/hub";

function library(): LibraryEntry[] {
  return [
    entry("smol", `${HF}/models--bartowski--SmolLM2/snapshots/c0ffee/SmolLM2-Q4_K_M.gguf`, {
      name: "SmolLM2 135M Instruct",
      architecture: "llama",
      quantization: "Q4_K_M",
      n_params: 134_515_008,
      size_bytes: 105_472_000,
      context_length: 8192,
      has_chat_template: true,
      license: "apache-2.0",
      source: "hf-cache",
      hf_repo: "bartowski/SmolLM2-135M-Instruct-GGUF",
      sha256: SMOL_SHA,
    }),
    entry("llama70b", "/home/me/models/llama-70b-Q4_K_M.gguf", {
      name: "Llama 70B",
      architecture: "llama",
      quantization: "Q4_K_M",
      n_params: 70_553_706_496,
      size_bytes: 42_520_395_584,
      context_length: 131072,
      has_chat_template: true,
    }),
    entry("broken", "/home/me/models/broken.gguf", {
      broken_reason: "Not a GGUF file: bad magic 0x00000000",
    }),
    entry("vocab", "/home/me/models/ggml-vocab-phi-3.gguf", { kind: "vocab-only" }),
    entry("mmproj", "/home/me/models/mmproj-SmolVLM.gguf", { kind: "mmproj", size_bytes: 2e8 }),
  ];
}

/** The library entry a finished download of the test's file becomes. */
const DOWNLOADED = entry(
  "stories-q4",
  `${HF}/models--tiny--stories/snapshots/abc/stories-Q4_K_M.gguf`,
  {
    name: "stories Q4_K_M",
    architecture: "llama",
    quantization: "Q4_K_M",
    size_bytes: 1_185_376,
    has_chat_template: true,
    source: "hf-cache",
    hf_repo: "tiny/stories",
  },
);

const MiB = 1024 * 1024;
function fit(verdict: MemoryFit["verdict"], nCtx: number, weights: number): MemoryFit {
  const cpu = {
    device: "CPU",
    weights_bytes: weights,
    kv_cache_bytes: 24 * MiB,
    compute_bytes: 12 * MiB,
    total_bytes: weights + 36 * MiB,
    free_bytes: 6 * 1024 * MiB,
  };
  const gpu = { ...cpu, device: "Vulkan0", weights_bytes: 0, total_bytes: 36 * MiB };
  return {
    devices: verdict === "fits" ? [cpu, gpu] : [cpu],
    total_bytes: cpu.total_bytes,
    verdict,
    n_ctx: nCtx,
    n_parallel: 1,
    max_n_ctx: verdict === "does-not-fit" ? 0 : 8192,
    method: "simulation",
    simulation_error: null,
  };
}

/** What the header of the test's hub file says. */
const STORIES_METADATA: HubFileMetadata = {
  repo: "tiny/stories",
  file: "stories-Q4_K_M.gguf",
  parts: 1,
  architecture: "llama",
  name: "Tiny Stories 260K",
  n_params: 292_000,
  quantization: "Q4_K_M",
  context_length: 2048,
  n_layer: 5,
  n_embd: 64,
  n_head: 8,
  n_head_kv: 4,
  has_chat_template: true,
  license: "mit",
  base_model: "karpathy/tinyllamas",
  base_model_repo_url: "https://huggingface.co/karpathy/tinyllamas",
};

const HUB: HubModel[] = [
  {
    id: "bartowski/SmolLM2-135M-Instruct-GGUF",
    author: "bartowski",
    downloads: 99_999,
    likes: 300,
    last_modified: Date.UTC(2025, 10, 1, 12),
    gated: false,
  },
  {
    id: "tiny/stories",
    author: "tiny",
    downloads: 12_345,
    likes: 42,
    last_modified: Date.UTC(2026, 0, 5, 12),
    gated: false,
  },
  {
    id: "meta/gated-stories",
    author: "meta",
    downloads: 900,
    likes: 7,
    last_modified: null,
    gated: "manual",
  },
  {
    id: "other/stories-extra",
    author: "other",
    downloads: 5,
    likes: 0,
    last_modified: Date.UTC(2025, 5, 1, 12),
    gated: false,
  },
];

const README = `---
license: mit
tags:
- gguf
---
# Tiny stories

A **tiny** model. <img src=x onerror="window.__xss=1"> ![diagram](https://example.com/x.png)
`;

const REPO: HubRepo = {
  id: "tiny/stories",
  gated: false,
  default_file: "stories-Q4_K_M.gguf",
  readme: README,
  files: [
    {
      path: "stories-Q4_K_M.gguf",
      size_bytes: 1_185_376,
      quant: "Q4_K_M",
      sha256: "a1b2c3d4".repeat(8),
      parts: 1,
      is_mmproj: false,
    },
    {
      path: "stories-Q8_0.gguf",
      size_bytes: 2_370_752,
      quant: "Q8_0",
      sha256: "e5f6a7b8".repeat(8),
      parts: 1,
      is_mmproj: false,
    },
    {
      path: "mmproj-stories-f16.gguf",
      size_bytes: 600_000,
      quant: "F16",
      sha256: null,
      parts: 1,
      is_mmproj: true,
    },
  ],
};

/** The download the test starts, as `POST /api/downloads` answers it. */
export const DOWNLOAD: Download = {
  id: "d1",
  repo: "tiny/stories",
  file: "stories-Q4_K_M.gguf",
  state: "queued",
  downloaded_bytes: 0,
  total_bytes: 1_185_376,
  bytes_per_second: 0,
  eta_seconds: null,
};

/** Hub search results per page. */
const PAGE = 2;

/**
 * Starts the server.
 *
 * @param dist the built UI
 * @param settings what `/api/state` and `/api/settings` answer
 * @returns its port, the request log ("METHOD /path?query"), `push` for app events,
 *   `removeFromLibrary`, and `close`
 */
export function serveModelBrowser(dist: string, settings: Settings) {
  let models = library();
  let smolVerified = 0;
  let download = DOWNLOAD;
  const requests: string[] = [];
  const listeners = new Set<(event: string, data: unknown) => void>();
  const push = (event: string, data: unknown) => {
    if (event === "downloads") {
      download = data as Download;
      if (download.state === "done" && !models.some((m) => m.id === DOWNLOADED.id)) {
        models = [...models, DOWNLOADED];
      }
    }
    for (const send of listeners) send(event, data);
  };
  const api = async (req: Request, url: URL): Promise<Response> => {
    const p = url.pathname;
    const q = url.searchParams;
    if (p === "/api/state") return json({ loaded: null, loading: null, settings });
    if (p === "/api/chats") return json({ chats: [] });
    if (p === "/api/settings") {
      return json({ ...settings, ...(await req.json().catch(() => ({}))) });
    }
    if (p === "/api/models") return json({ models });
    if (p === "/api/events") {
      return sse((send) => (listeners.add(send), new Promise(() => {})));
    }
    const model = /^\/api\/models\/([^/]+)(?:\/(fit|verify))?$/.exec(p);
    if (model && model[2] === "fit") {
      const verdict = model[1] === "llama70b" ? "does-not-fit" : "fits";
      return json(fit(verdict, Number(q.get("n_ctx")), 98 * MiB));
    }
    if (model && model[2] === "verify") {
      // Llama 70B has no reference hash (a folder's file); SmolLM2 matches once, then its
      // bytes changed on disk.
      if (model[1] !== "smol") return json({ ok: true, sha256: LLAMA_SHA, expected_sha256: null });
      const ok = smolVerified++ === 0;
      return json({ ok, sha256: ok ? SMOL_SHA : "0badf00d".repeat(8), expected_sha256: SMOL_SHA });
    }
    if (model && req.method === "DELETE") {
      models = models.filter((m) => m.id !== model[1]);
      return new Response(null, { status: 204 });
    }
    if (p === "/api/hub/search") {
      const found = HUB.filter((m) => m.id.includes(q.get("q") ?? ""));
      const start = Number(q.get("cursor") ?? 0);
      const next = start + PAGE < found.length ? String(start + PAGE) : null;
      return json({ models: found.slice(start, start + PAGE), next_cursor: next });
    }
    if (p === "/api/hub/repos/meta/gated-stories") {
      const message =
        "meta/gated-stories is gated: Request access on its Hugging Face page, then set HF_TOKEN";
      return json({ error: { message, type: "forbidden" } }, 403);
    }
    if (p === "/api/hub/repos/tiny/stories") return json(REPO);
    if (p === "/api/hub/repos/tiny/stories/fit") {
      const q8 = q.get("file") === "stories-Q8_0.gguf";
      const found = fit(q8 ? "tight" : "fits", Number(q.get("n_ctx")), q8 ? 2 * MiB : MiB);
      // The Q8_0 file's estimate is the metadata formula's.
      const simulation_error = "unknown model architecture: 'futurenet'";
      return json(q8 ? { ...found, method: "formula", simulation_error } : found);
    }
    if (p === "/api/hub/repos/tiny/stories/metadata") {
      if (q.get("file") === STORIES_METADATA.file) return json(STORIES_METADATA);
      const message = `Cannot read the GGUF header of "tiny/stories/${q.get("file")}": bad magic`;
      return json({ error: { message, type: "invalid_request" } }, 400);
    }
    if (p === "/api/downloads" && req.method === "POST") {
      const body = await req.json();
      // A welcome-screen pick: its own download, queued.
      if (body.repo !== DOWNLOAD.repo) {
        return json({ ...DOWNLOAD, id: `pick-${body.file}`, ...body, total_bytes: null }, 201);
      }
      return json(download, 201);
    }
    if (p === "/api/downloads") return json({ downloads: [] });
    if (p === "/api/resources") {
      return json({
        ram_total_bytes: 16e9,
        ram_free_bytes: 9e9,
        rss_bytes: 1e8,
        model_size_bytes: 0,
        kv_cache_bytes: 0,
        cpu_load: 0.1,
        gen_tok_per_sec: [],
      });
    }
    if (p === "/api/context") {
      return json({ prompt_tokens: 0, min_prompt_tokens: 0, n_ctx: 2048, overflow: "error" });
    }
    const action = /^\/api\/downloads\/d1\/(pause|resume)$/.exec(p);
    if (action) {
      download = { ...download, state: action[1] === "pause" ? "paused" : "downloading" };
      return json(download);
    }
    return json({ error: { message: `No route ${p}`, type: "not_found" } }, 404);
  };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const bundle = await serveBundle(dist, url.pathname);
    if (bundle) return bundle;
    if (url.pathname !== "/api/events") requests.push(`${req.method} ${url.pathname}${url.search}`);
    return api(req, url);
  });
  return {
    port: server.addr.port,
    requests,
    push,
    removeFromLibrary: (id: string) => void (models = models.filter((m) => m.id !== id)),
    close: () => server.shutdown().catch(() => {}),
  };
}
