/**
 * Renders the built UI in headless Chromium against a tiny in-test server that answers the
 * routes the first screen needs with fixed JSON (a rendering test, not a fake of the app
 * server). Checks the chat list, XSS safety, Markdown, token streaming without re-rendering
 * other messages, search snippets, themes, and no horizontal overflow at 800×600.
 *
 * Set HEARTH_UI_SCREENSHOTS=DIR to save screenshots of the main screen.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { chromium, type Page } from "playwright-core";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { buildUi } from "../../ui/build.ts";
import { RED_PNG } from "../_images.ts";
import type { Chat, LibraryEntry, LoadedModel, Message, Settings } from "../../api/types.ts";
import {
  animationsDone,
  CHROMIUM,
  fits,
  json,
  LAUNCH_ARGS,
  serveBundle,
  sse,
  testSettings,
} from "./_page_server.ts";

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
const NOW = Date.UTC(2025, 0, 15, 12);

const metrics = {
  prompt_tokens: 812,
  cached_tokens: 640,
  completion_tokens: 214,
  ttft_ms: 184,
  prompt_tok_per_sec: 912.4,
  gen_tok_per_sec: 41.7,
};
function chat(id: string, title: string, leaf: string | null, age: number): Chat {
  const t = NOW - age;
  return {
    id,
    title,
    created_at: t,
    updated_at: t,
    model: null,
    system_prompt: "",
    sampling: {},
    n_ctx: null,
    overflow: "truncate-oldest",
    active_leaf_id: leaf,
  };
}
function msg(
  id: string,
  chatId: string,
  parent: string | null,
  role: Message["role"],
  content: string,
  extra: Partial<Message> = {},
): Message {
  return {
    id,
    chat_id: chatId,
    parent_id: parent,
    role,
    content,
    model: null,
    sampling: null,
    metrics: role === "assistant" ? metrics : null,
    created_at: NOW + id.charCodeAt(id.length - 1),
    state: "complete",
    finish_reason: role === "assistant" ? "stop" : null,
    ...extra,
  };
}
const DEMO_REPLY =
  `A **mutex** gives one thread at a time exclusive access; a **semaphore** counts permits, so up to *n* threads may enter.

- Use a mutex to protect shared state, such as a \`map\` being written.
- Use a semaphore to limit concurrency, such as 4 downloads at once.

\`\`\`go
sem := make(chan struct{}, 4) // 4 permits
sem <- struct{}{}             // acquire
defer func() { <-sem }()      // release
\`\`\``;
const chats = [
  chat("demo", "Mutex vs semaphore", "d3", 60_000),
  chat("xss", "Security check", null, 3_600_000),
  chat("old", "Trip ideas for the weekend", null, 90_000_000),
  chat("deep", "Deeply nested replies", "q4", 180_000_000),
  chat("math", "Math and code", "m2", 240_000_000),
];
/** Math, a highlighted code block, prices that are no math and a task list. */
const MATH_REPLY = `Euler: $e^{i\\pi} + 1 = 0$, and the sum

$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$

It costs $5 and $10, not math. Code \`$x$\` stays code.
Unsafe: $\\href{javascript:alert(1)}{click}$ and $\\color{red}{r}$.

- [x] done
- [ ] to do

\`\`\`ts
const answer: number = 42;
\`\`\``;
/** Replies nested past `MAX_MARKDOWN_NESTING`: marked's stack overflows, or it takes seconds. */
const DEEP_QUOTE = ">".repeat(2500) + " the bottom of the quote";
const DEEP_LIST = Array.from({ length: 800 }, (_, i) => `${"  ".repeat(i)}- level ${i}`)
  .join("\n");
const messages: Record<string, Message[]> = {
  demo: [
    msg(
      "d1",
      "demo",
      null,
      "user",
      "What's the difference between a mutex and a semaphore? Keep it short.",
      { images: 1 },
    ),
    msg("d2", "demo", "d1", "assistant", "A mutex is a lock; a semaphore is a counter."),
    msg("d3", "demo", "d1", "assistant", DEMO_REPLY, {
      dropped_messages: 2,
      model: "meta-llama/llama-3.1-8b-instruct",
      backend: "remote",
      provider: "openrouter",
    }),
  ],
  xss: [
    msg("x1", "xss", null, "user", XSS),
    msg(
      "x2",
      "xss",
      "x1",
      "assistant",
      `Here is **bold** text.\n\n${XSS}\n\nInline <img src=x onerror="window.__xss=3"> too.`,
      { metrics: { ...metrics, draft_n: 40, draft_n_accepted: 30 } },
    ),
  ],
  old: [msg("o1", "old", null, "user", "Ideas?")],
  deep: [
    msg("q1", "deep", null, "user", "Quote yourself."),
    msg("q2", "deep", "q1", "assistant", DEEP_QUOTE),
    msg("q3", "deep", "q2", "user", "Now a list."),
    msg("q4", "deep", "q3", "assistant", DEEP_LIST),
  ],
  math: [
    msg("m1", "math", null, "user", "Some math, please."),
    msg("m2", "math", "m1", "assistant", MATH_REPLY),
  ],
};
let settings: Settings = testSettings();
/** `GET /api/openai-server`: follows the toggle the way the app server does. */
function openAiServerStatus() {
  return settings.openai_server.enabled
    ? {
      state: "running",
      url: `http://127.0.0.1:${settings.openai_server.port}/v1`,
      model: "qwen2.5-1.5b-instruct-q4_k_m",
      message: null,
    }
    : { state: "stopped", url: null, model: null, message: "Turned off" };
}
let loaded: LoadedModel = {
  path: "/home/me/models/qwen2.5-1.5b-instruct-q4_k_m.gguf",
  description: "qwen2 1.5B Q4_K - Medium",
  n_params: 1_543_714_304,
  size_bytes: 986_048_768,
  n_ctx_train: 32768,
  n_ctx: 4096,
  kv_cache_bytes: 117_440_512,
  n_layers_offloaded: 0,
  n_parallel: 4,
  loras: [],
  mmproj: null,
  vision_error: null,
  draft_model: null,
  draft_error: null,
  variant: "linux-x64",
  devices: ["CPU"],
};
/** The device kinds `GET /api/model-options/devices` lists: CUDA and Metal not detected. */
const devices = [
  { device: "cpu", variant: "linux-x64", detected: true, cached: true, reason: "Runs everywhere" },
  {
    device: "vulkan",
    variant: "linux-x64-vulkan",
    detected: true,
    cached: false,
    reason: "Vulkan loader and a GPU render node found",
  },
  {
    device: "cuda",
    variant: "linux-x64-cuda",
    detected: false,
    cached: false,
    reason: "No NVIDIA driver found",
  },
  {
    device: "metal",
    variant: null,
    detected: false,
    cached: false,
    reason: "No prebuilt metal package for linux-x86_64",
  },
];
/** A library file as `GET /api/models` lists it. */
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
const LIBRARY: LibraryEntry[] = [
  entry("qwen", loaded.path, {
    name: "Qwen2.5 1.5B Instruct Q4_K_M",
    size_bytes: loaded.size_bytes,
    architecture: "qwen2",
    quantization: "Q4_K_M",
    n_params: loaded.n_params,
    context_length: 32768,
    has_chat_template: true,
  }),
  entry("stories", "/app/models/stories260K.gguf", {
    size_bytes: 1_185_376,
    architecture: "llama",
    context_length: 512,
    source: "bundled",
    bundled: true,
  }),
  entry("broken", "/home/me/models/broken.gguf", {
    broken_reason: "Not a GGUF file: bad magic 0x00000000",
  }),
];
const STREAM_PIECES = [
  "Sure",
  ", here",
  " is",
  " a **Go**",
  " example:\n\n",
  "```go\n",
  "mu.Lock()\n",
  "defer mu.Unlock()\n",
  "```",
];

/** Load options the UI saved with `PUT /api/model-options`, in order. */
const modelOptions: unknown[] = [];
/** Paths the UI asked `POST /api/models/load` for. */
const loads: string[] = [];
/** Tokens the UI saved with `PUT /api/hub-token`, in order. */
const hubTokens: (string | null)[] = [];
/** Scales the UI sent for the LoRA adapter, in order. */
const loraScales: number[] = [];

/** The in-test server: dist files plus fixed answers; `gate` holds the stream back. */
function serve(
  dist: string,
  gate: { go: PromiseWithResolvers<void>; finish: PromiseWithResolvers<void> },
) {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const p = url.pathname;
    const bundle = await serveBundle(dist, p);
    if (bundle) return bundle;
    if (p === "/api/state") return json({ loaded, loading: null, settings });
    if (p === "/api/models/loras" && req.method === "POST") {
      const { path, scale } = await req.json();
      const lora = { id: 1, path, name: "shakespeare", scale, effective_scale: scale * 2 };
      return json(loaded = { ...loaded, loras: [lora] });
    }
    if (p === "/api/models/loras/1" && req.method === "PATCH") {
      const { scale } = await req.json();
      loraScales.push(scale);
      const lora = { ...loaded.loras[0], scale, effective_scale: scale * 2 };
      return json(loaded = { ...loaded, loras: [lora] });
    }
    if (p === "/api/settings" && req.method === "PATCH") {
      const { openai_server: { api_key, ...server } = {}, ...rest } = await req.json();
      const api_key_set = api_key === undefined ? settings.openai_server.api_key_set : !!api_key;
      const openai_server = { ...settings.openai_server, ...server, api_key_set };
      return json(settings = { ...settings, ...rest, openai_server });
    }
    if (p === "/api/openai-server") return json(openAiServerStatus());
    if (p === "/api/providers") {
      return json({
        providers: [{
          name: "openrouter",
          preset: "openrouter",
          base_url: "https://openrouter.ai/api/v1",
          api_key_env: "OPENROUTER_API_KEY",
          concurrency: 5,
          key_source: "file",
        }],
        presets: {
          openrouter: {
            label: "OpenRouter",
            baseUrl: "https://openrouter.ai/api/v1",
            apiKeyEnv: "",
          },
          custom: { label: "Custom", baseUrl: "", apiKeyEnv: "" },
        },
      });
    }
    if (p === "/api/providers/openrouter/models") {
      return json({ models: ["meta-llama/llama-3.1-8b-instruct"] });
    }
    if (p === "/api/models") return json({ models: LIBRARY });
    if (/^\/api\/messages\/[^/]+\/images\/0$/.test(p)) {
      return new Response(RED_PNG as Uint8Array<ArrayBuffer>, {
        headers: { "content-type": "image/png" },
      });
    }
    if (p === "/api/downloads") return json({ downloads: [] });
    if (p === "/api/model-options" && req.method === "PUT") {
      const body = await req.json();
      modelOptions.push(body.options);
      return json(body);
    }
    if (p === "/api/model-options/devices") return json({ devices });
    if (p === "/api/model-options") {
      return json({ path: url.searchParams.get("path"), options: { n_gpu_layers: 20 } });
    }
    if (p === "/api/models/load" && req.method === "POST") {
      loads.push((await req.json()).path);
      return new Response(null, { status: 202 });
    }
    if (p === "/api/hub-token" && req.method === "PUT") {
      const { token } = await req.json();
      hubTokens.push(token);
      return json({ source: token ? "settings" : "env" });
    }
    if (p === "/api/hub-token") return json({ source: "env" });
    if (p === "/api/context") {
      // 100 tokens for any branch, plus one per character of a draft.
      const { draft = "", chat_id } = await req.json();
      const chat = chats.find((c) => c.id === chat_id);
      return json({
        prompt_tokens: 100 + draft.length,
        min_prompt_tokens: draft.length || 100,
        n_ctx: loaded.n_ctx,
        overflow: chat?.overflow ?? "truncate-oldest",
      });
    }
    if (/^\/api\/models\/[^/]+\/fit$/.test(p)) {
      const n_ctx = Number(url.searchParams.get("n_ctx"));
      const device = {
        device: "CPU",
        weights_bytes: 986_048_768,
        kv_cache_bytes: 117_440_512,
        compute_bytes: 30_000_000,
        total_bytes: 1_133_489_280,
        free_bytes: 9.2e9,
      };
      return json({
        devices: [device],
        total_bytes: device.total_bytes,
        verdict: "fits",
        n_ctx,
        max_n_ctx: 32768,
      });
    }
    if (p === "/api/resources") {
      return json({
        ram_total_bytes: 16e9,
        ram_free_bytes: 9.2e9,
        rss_bytes: 1.3e9,
        model_size_bytes: loaded.size_bytes,
        kv_cache_bytes: loaded.kv_cache_bytes,
        cpu_load: 0.37,
        cpu_process_percent: 296,
        cpu_cores: 8,
        gen_tok_per_sec: Array.from(
          { length: 60 },
          (_, i) => (i > 20 && i < 50 ? 38 + 4 * Math.sin(i) : 0),
        ),
        rss_history_bytes: Array.from({ length: 60 }, (_, i) => 1.2e9 + i * 1e6),
        cpu_history_percent: Array.from({ length: 60 }, (_, i) => (i > 20 && i < 50 ? 290 : 3)),
        replies: [{ at: NOW, ttft_ms: 184, gen_tok_per_sec: 41.7 }],
      });
    }
    if (p === "/api/events") return sse(() => new Promise(() => {})); // stays open, says nothing
    if (p === "/api/chats") {
      const q = url.searchParams.get("q");
      if (!q) return json({ chats });
      // A hit on the branch not shown (d2 is version 1/2; d3 is shown).
      if (q === "lock") {
        return json({
          chats: [{ ...chats[0], snippet: "A mutex is a <mark>lock</mark>", message_id: "d2" }],
        });
      }
      return json({
        chats: [{ ...chats[1], snippet: `before &lt;script&gt; <mark>${q}</mark> after` }],
      });
    }
    const chatMatch = /^\/api\/chats\/([^/]+)(\/messages)?$/.exec(p);
    if (chatMatch && req.method === "POST") {
      const { content, parent_id } = await req.json();
      const user = msg("u-new", chatMatch[1], parent_id, "user", content);
      const assistant = msg("a-new", chatMatch[1], "u-new", "assistant", "", {
        state: "streaming",
        metrics: null,
        finish_reason: null,
      });
      return json({ user, assistant }, 201);
    }
    if (chatMatch && req.method === "PATCH") {
      const base = chats.find((c) => c.id === chatMatch[1])!;
      return json({ ...base, ...(await req.json()) });
    }
    if (chatMatch) {
      return json({
        chat: chats.find((c) => c.id === chatMatch[1]),
        messages: messages[chatMatch[1]],
      });
    }
    if (p === "/api/messages/a-new/stream") {
      return sse(async (send) => {
        send("snapshot", { content: "" });
        await gate.go.promise;
        for (const text of STREAM_PIECES) {
          send("delta", { text, tokens: 1 });
          await new Promise((r) => setTimeout(r, 90));
        }
        await gate.finish.promise;
        const done = msg("a-new", "demo", "u-new", "assistant", STREAM_PIECES.join(""));
        send("done", { message: done });
      });
    }
    return json({ error: { message: `No route ${p}`, type: "not_found" } }, 404);
  });
}

/** Polls `check` every 20 ms until it holds (the in-test server sees requests in its own time). */
async function until(what: string, check: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    assert(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `data-renders` of the given messages, by id. */
function rendersOf(page: Page, ids: string[]): Promise<Record<string, string | null>> {
  return page.evaluate(
    (list) =>
      Object.fromEntries(
        list.map((
          id,
        ) => [
          id,
          document.querySelector(`[data-id="${id}"]`)?.getAttribute("data-renders") ?? null,
        ]),
      ),
    ids,
  );
}

Deno.test({
  name: "UI renders chats safely, streams replies and fits 800x600",
  // Playwright keeps a browser process and pipes open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const dist = await Deno.makeTempDir({ prefix: "hearth-ui-render-" });
  await buildUi({ outDir: dist });
  const gate = { go: Promise.withResolvers<void>(), finish: Promise.withResolvers<void>() };
  const server = serve(dist, gate);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  const shots = Deno.env.get("HEARTH_UI_SCREENSHOTS");
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));

    await t.step("the sidebar lists the chats, newest first", async () => {
      await page.goto(`${base}/#/chat/xss`);
      await page.waitForSelector(".chat-list .chat-item");
      const titles = await page.locator(".chat-list .chat-open").allTextContents();
      assertEquals(titles, chats.map((c) => c.title));
      assertEquals(
        await page.locator('.chat-item[aria-current="page"]').textContent(),
        "Security check",
      );
    });

    await t.step("the export links name their files after the chat", async () => {
      // A bare `download` rendered as download="true", which browsers and WebKitGTK
      // took as the file name.
      await page.getByLabel("Export or import").click();
      const names = await page.locator("a[role=menuitem][download]").evaluateAll((links) =>
        links.map((a) => a.getAttribute("download"))
      );
      assertEquals(names, ["Security check.md", "Security check.jsonl", "Security check.json"]);
      await page.getByLabel("Export or import").click();
    });

    await t.step("HTML in messages stays inert text; Markdown becomes markup", async () => {
      await page.waitForSelector('[data-id="x2"] .markdown strong');
      // Nothing that could run a handler is on the page (so none can fire later either).
      assertEquals(await page.locator("main img, main script, main [onerror]").count(), 0);
      assertEquals(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
      assertEquals(await page.locator('[data-id="x1"] .bubble').textContent(), XSS);
      assertEquals(await page.locator('[data-id="x2"] strong').textContent(), "bold");
      const reply = await page.locator('[data-id="x2"] .markdown').textContent() ?? "";
      assert(reply.includes(`onerror="window.__xss=1"`), "raw HTML is shown as text");
      const live = await page.evaluate(() =>
        document.querySelectorAll("main img, main script").length
      );
      assertEquals(live, 0);
    });

    await t.step("a reply a draft model sped up shows the draft's acceptance", async () => {
      const stats = page.locator('[data-id="x2"] .stats');
      assert((await stats.textContent())!.includes("draft: 30 of 40 accepted (75 %)"));
    });

    await t.step("replies nested too deeply show as plain text, not Markdown", async () => {
      await page.goto(`${base}/#/chat/deep`);
      // Before the nesting cap the quote's bubble stayed empty (marked's stack overflowed)
      // and the list took seconds to parse: neither had this element.
      const quote = page.locator('[data-id="q2"] .markdown pre.plain-text');
      const list = page.locator('[data-id="q4"] .markdown pre.plain-text');
      await quote.waitFor({ timeout: 10_000 });
      await list.waitFor({ timeout: 10_000 });
      assertEquals(await quote.textContent(), DEEP_QUOTE);
      assertEquals(await list.textContent(), DEEP_LIST);
      assertEquals(await page.locator('[data-id="q4"] .markdown li').count(), 0);
      await page.goto(`${base}/#/chat/xss`);
      await page.waitForSelector('[data-id="x2"] .markdown strong');
    });

    await t.step("math is typeset, code highlighted, and both stay sanitized", async () => {
      await page.goto(`${base}/#/chat/math`);
      const md = page.locator('[data-id="m2"] .markdown');
      await md.locator(".katex-display").waitFor();
      // highlight.js and KaTeX are chunks of their own, each in when it is in.
      await md.locator("code.hljs .hljs-keyword").first().waitFor();
      assertEquals(await md.locator(".katex-mathml").count(), 4);
      // KaTeX's inline styles apply under the CSP: a strut has the height its style gives.
      const strut = await md.locator(".katex-html [style*=height]").first().evaluate((el) => ({
        style: el.getAttribute("style"),
        height: getComputedStyle(el).height,
      }));
      assert(strut.style?.includes("height"), "KaTeX's style attribute is kept");
      assert(strut.height !== "0px" && strut.height !== "auto", `strut height ${strut.height}`);
      await page.waitForFunction(() => document.fonts.check("16px KaTeX_Main"));
      const text = await md.textContent() ?? "";
      assert(text.includes("It costs $5 and $10, not math."), "prices are text");
      assertEquals(await md.locator("code:not(.hljs)").first().textContent(), "$x$");
      assertEquals(await page.locator('main a[href^="javascript"]').count(), 0);
      assertEquals(await md.locator("[style]:not(.katex [style])").count(), 0);
      assertEquals(await md.locator(".task-box").allTextContents(), ["\u2611", "\u2610"]);
      assertEquals(await md.locator("input").count(), 0);
      assertEquals(await md.locator("code.hljs .hljs-keyword").first().textContent(), "const");
      assertEquals(await md.locator("code.hljs .hljs-number").textContent(), "42");
      await md.locator("button.copy-code").waitFor();
      await page.goto(`${base}/#/chat/xss`);
      await page.waitForSelector('[data-id="x2"] .markdown strong');
    });

    await t.step("search shows snippets with only <mark> as markup", async () => {
      await page.fill("#chat-search", "needle");
      await page.waitForSelector(".search-results mark");
      assertEquals(await page.locator(".search-results mark").textContent(), "needle");
      assertEquals(await page.locator(".snippet").textContent(), "before <script> needle after");
      assertEquals(await page.evaluate(() => document.querySelectorAll("nav script").length), 0);
      await page.fill("#chat-search", "");
      await page.waitForSelector(".chat-list:not(.search-results)");
    });

    await t.step("opening a search hit shows its branch, scrolled to and highlighted", async () => {
      await page.fill("#chat-search", "lock");
      await page.locator(".search-results .chat-open").click();
      const hit = page.locator('[data-id="d2"].search-hit');
      await hit.waitFor();
      assertEquals(await hit.locator(".branch-count").textContent(), "1/2");
      assert(await hit.isVisible());
      await hit.waitFor({ state: "detached" }); // the mark fades
      await page.locator('[data-id="d2"]').getByRole("button", { name: "Next version" }).click();
      await page.locator('[data-id="d3"]').waitFor();
      await page.fill("#chat-search", "");
      await page.waitForSelector(".chat-list:not(.search-results)");
    });

    await t.step("a reply streams in steps and other messages do not re-render", async () => {
      await page.click('.chat-open:has-text("Mutex vs semaphore")');
      await page.waitForSelector('[data-id="d3"] .code-block');
      assertEquals(await page.locator('[data-id="d3"] .branch-count').textContent(), "2/2");
      // A reply from a remote provider says so: its conversation left the machine.
      assertEquals(
        await page.locator('[data-id="d3"] .badge.cloud').textContent(),
        "cloud · openrouter",
      );
      assert(
        (await page.locator('[data-id="d3"] .notice').textContent())?.includes("2 older messages"),
      );
      await page.fill("#composer-input", "Show me in Go");
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-id="a-new"].streaming');
      const before = await rendersOf(page, ["d1", "d3", "u-new"]);
      await page.evaluate(() => {
        const w = globalThis as unknown as { __mutations: number; __steps: string[] };
        w.__mutations = 0;
        w.__steps = [];
        for (const el of document.querySelectorAll('.message:not([data-id="a-new"])')) {
          new MutationObserver((l) => (w.__mutations += l.length))
            .observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
        }
        const md = document.querySelector('[data-id="a-new"] .markdown')!;
        new MutationObserver(() => w.__steps.push(md.textContent ?? ""))
          .observe(md, { childList: true, subtree: true, characterData: true });
      });
      // The context bar counts the prompt, then each streamed token as it arrives.
      const meter = page.locator('.context [role="meter"]');
      await page.waitForFunction(() =>
        document.querySelector('.context [role="meter"]')?.getAttribute("aria-valuenow") === "100"
      );
      gate.go.resolve();
      await page.waitForFunction(() =>
        document.querySelector('[data-id="a-new"] .markdown')?.textContent?.includes(
          "defer mu.Unlock()",
        )
      );
      await page.waitForFunction(
        (n) =>
          document.querySelector('.context [role="meter"]')?.getAttribute("aria-valuenow") ===
            String(100 + n),
        STREAM_PIECES.length,
      );
      assert(await page.locator('[data-id="a-new"].streaming').count() === 1, "still streaming");
      assertEquals(await meter.getAttribute("aria-valuemax"), String(loaded.n_ctx));
      const { mutations, steps } = await page.evaluate(() => {
        const w = globalThis as unknown as { __mutations: number; __steps: string[] };
        return { mutations: w.__mutations, steps: w.__steps };
      });
      assertEquals(mutations, 0, "other messages changed while streaming");
      assert(new Set(steps).size >= 3, `expected several steps, got ${JSON.stringify(steps)}`);
      assert(
        steps.length < STREAM_PIECES.length * 4,
        "re-parsed far more often than tokens arrived",
      );
      gate.finish.resolve();
      await page.waitForSelector('[data-id="a-new"]:not(.streaming) .stats');
      assertEquals(await page.locator('[data-id="a-new"] strong').textContent(), "Go");
      assertEquals(await rendersOf(page, ["d1", "d3", "u-new"]), before);
    });

    await t.step("the composer counts a draft and warns when it cannot fit", async () => {
      const input = page.locator("#composer-input");
      await input.fill("Tell me more");
      await page.locator(".context-draft").getByText("message +12").waitFor();
      await input.fill("x".repeat(loaded.n_ctx + 10));
      const notice = page.locator('.context-notice[data-level="error"]');
      await notice.waitFor();
      assert((await notice.textContent())?.includes("does not fit"));
      assert(!(await notice.textContent())?.includes("n_ctx"), "the UI's words");
      await input.fill("");
      await notice.waitFor({ state: "detached" });
    });

    await t.step("light and dark themes switch", async () => {
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assertEquals(await page.evaluate(() => document.documentElement.dataset.theme), "light");
      const light = await background();
      await page.click('.sidebar-link:has-text("Settings")');
      await page.click('[role="radio"]:has-text("Dark")');
      await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
      assert(light !== await background(), "the background follows the theme");
      await page.click('[role="radio"]:has-text("Light")');
      await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
      await page.keyboard.press("Escape");
      await page.waitForSelector(".dialog", { state: "detached" });
    });

    await t.step("Settings turns the local API server on and shows its URL", async () => {
      await page.click('.sidebar-link:has-text("Settings")');
      const section = page.locator(".openai-server");
      await section.locator(".server-status").getByText("Stopped").waitFor();
      await section.getByLabel("Serve the loaded model over the OpenAI API").check();
      await section.locator('.server-status[data-state="running"]').waitFor();
      assertEquals(
        await section.locator(".server-url code").textContent(),
        "http://127.0.0.1:8080/v1",
      );
      assert((await section.textContent())?.includes('model id "qwen2.5-1.5b-instruct-q4_k_m"'));
      assertEquals(settings.openai_server.enabled, true);
      // The key is write-only: typed, saved, then gone from the page.
      const key = section.locator('input[type="password"]');
      await key.fill("sk-local-secret");
      await key.press("Enter");
      await section.getByRole("button", { name: "Remove" }).waitFor();
      assertEquals(await key.inputValue(), "");
      assertEquals(settings.openai_server.api_key_set, true);
      if (shots) await section.screenshot({ path: join(shots, "openai-server.png") });
      await page.setViewportSize({ width: 800, height: 600 });
      assert(await fits(page, 800), "settings dialog");
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.keyboard.press("Escape");
      await page.waitForSelector(".dialog", { state: "detached" });
    });

    await t.step("Settings saves a Hugging Face token write-only", async () => {
      await page.click('.sidebar-link:has-text("Settings")');
      const section = page.locator(".hub-token");
      await section.getByText("Using HF_TOKEN from the environment").waitFor();
      const field = section.locator('input[type="password"]');
      await field.fill("hf_abc123");
      await field.press("Enter");
      await section.getByRole("button", { name: "Remove" }).waitFor();
      assertEquals(await field.inputValue(), "", "never shown again");
      await section.getByText("A token is saved").waitFor();
      await section.getByRole("button", { name: "Remove" }).click();
      await section.getByText("Using HF_TOKEN").waitFor();
      assertEquals(hubTokens, ["hf_abc123", null]);
      await page.keyboard.press("Escape");
      await page.waitForSelector(".dialog", { state: "detached" });
    });

    await t.step("the loaded model card adds a LoRA adapter and sends its scale", async () => {
      await page.click('.sidebar-link:has-text("Models")');
      const card = page.locator(".loaded-card");
      await card.getByLabel("LoRA adapter file").fill("/home/me/loras/shakespeare.gguf");
      await card.getByRole("button", { name: "Add" }).click();
      const slider = card.getByLabel("Scale of shakespeare");
      await slider.waitFor();
      assertEquals(await card.locator(".lora-scale").textContent(), "1.00");
      if (shots) await card.screenshot({ path: join(shots, "lora.png") });
      await slider.fill("0");
      await card.locator(".lora-scale").getByText("off").waitFor();
      assertEquals(loraScales, [0]);
      // The engine's devices, the prebuilt package in the tooltip.
      assertEquals(
        await card.locator('dd[title="Prebuilt package: linux-x64"]').textContent(),
        "CPU",
      );
      // Load options, saved with the model's file; a change offers a reload.
      await card.locator(".load-options summary").click();
      const gpu = card.getByLabel("GPU layers");
      assertEquals(await gpu.inputValue(), "20");
      await gpu.fill("0");
      await gpu.press("Enter");
      await card.getByLabel("Flash attention").selectOption("on");
      // The device: Auto, then every kind; the undetected ones cannot be chosen.
      const device = card.getByLabel("Device");
      assertEquals(await device.inputValue(), "");
      assertEquals(
        await device.locator("option").evaluateAll((o) =>
          o.map((e) => [e.getAttribute("value"), (e as HTMLOptionElement).disabled])
        ),
        [["", false], ["cpu", false], ["vulkan", false], ["cuda", true], ["metal", true]],
      );
      await device.selectOption("vulkan");
      // A draft model: the library's other loadable models, never the loaded or a broken one.
      const draft = card.getByLabel("Draft model");
      assertEquals(
        await draft.locator("option").evaluateAll((o) => o.map((e) => e.getAttribute("value"))),
        ["", "/app/models/stories260K.gguf"],
      );
      await draft.selectOption("/app/models/stories260K.gguf");
      await card.getByRole("button", { name: "Reload now" }).click();
      await until("the reload", () => loads.length === 1);
      assertEquals(modelOptions, [
        { n_gpu_layers: 0 },
        { n_gpu_layers: 0, flash_attn: "on" },
        { n_gpu_layers: 0, flash_attn: "on", variant: "vulkan" },
        {
          n_gpu_layers: 0,
          flash_attn: "on",
          variant: "vulkan",
          draft_model: "/app/models/stories260K.gguf",
        },
      ]);
      assertEquals(loads, [loaded.path]);
      await page.keyboard.press("Escape");
      await page.waitForSelector(".dialog", { state: "detached" });
    });

    await t.step("a sent image shows in its message; with an mmproj, images attach", async () => {
      await page.goto(`${base}/#/chat/demo`);
      const shown = page.locator('.message.user .message-images img[alt="Image 1"]');
      await shown.waitFor();
      assert(await shown.evaluate((img: HTMLImageElement) => img.naturalWidth === 28));
      assertEquals(await page.getByLabel("Attach an image").count(), 0);
      loaded = { ...loaded, mmproj: "/home/me/models/mmproj-qwen.gguf" };
      await page.reload();
      await page.getByLabel("Attach an image").waitFor();
      await page.locator('.composer input[type="file"]').setInputFiles({
        name: "red.png",
        mimeType: "image/png",
        buffer: Buffer.from(RED_PNG),
      });
      await page.locator('.attachments img[alt="red.png"]').waitFor();
      await page.getByLabel("Remove red.png").click();
      await page.locator(".attachments").waitFor({ state: "detached" });
      loaded = { ...loaded, mmproj: null };
    });

    await t.step(
      "Settings lists providers with where their key comes from, never the key",
      async () => {
        await page.click('.sidebar-link:has-text("Settings")');
        const section = page.locator(".providers");
        await section.locator(".provider-row .provider-name").getByText("openrouter").waitFor();
        assert((await section.locator(".provider-row").textContent())?.includes("key saved"));
        assertEquals(await section.locator('input[type="password"]').inputValue(), "");
        await page.keyboard.press("Escape");
        await page.waitForSelector(".dialog", { state: "detached" });
      },
    );

    await t.step("nothing overflows horizontally at 800x600", async () => {
      await page.setViewportSize({ width: 800, height: 600 });
      assert(await fits(page, 800), "main screen");
      await page.click('button[aria-label="Resources"]');
      await page.waitForSelector(".live-chart polyline");
      // Charts: tok/s, memory and CPU over the last minute, TTFT per reply.
      assertEquals(await page.locator(".live-chart").count(), 4);
      assertEquals(await page.locator(".live-chart circle").count(), 1);
      assertEquals(
        await page.locator(".resources .meter").nth(1).locator(".muted").textContent(),
        "296% of one core · 8 cores",
      );
      assert(await fits(page, 800), "resources panel");
      await page.click('button[aria-label="Chat settings"]');
      await page.waitForSelector(".side-panel select");
      // The model picker groups each provider's models after the local ones.
      await page.waitForSelector('.side-panel optgroup[label="openrouter (cloud)"] option', {
        state: "attached",
      });
      assertEquals(
        await page.locator('.side-panel optgroup[label="openrouter (cloud)"] option').getAttribute(
          "value",
        ),
        "openrouter:meta-llama/llama-3.1-8b-instruct",
      );
      assert(await fits(page, 800), "chat settings panel");
      await page.keyboard.press("Escape");
      await page.click('.sidebar-link:has-text("Models")');
      await page.getByLabel("Show all files").check();
      await page.waitForSelector(".model-row.broken .model-error");
      assert(await page.locator('button[aria-label="Load broken"]').isDisabled(), "broken model");
      assert(await fits(page, 800), "models dialog");
      await page.keyboard.press("Escape");
    });

    if (shots) await screenshots(page, shots);
    assertEquals(errors, []);
  } finally {
    await browser.close();
    await server.shutdown().catch(() => {});
    await Deno.remove(dist, { recursive: true });
  }
});

/** Saves the main screen in both themes and sizes, plus the panels and dialogs. */
async function screenshots(page: Page, dir: string) {
  await Deno.mkdir(dir, { recursive: true });
  const setTheme = (theme: string) =>
    page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
  for (const theme of ["light", "dark"]) {
    await setTheme(theme);
    for (const [width, height] of [[1024, 700], [800, 600]]) {
      await page.setViewportSize({ width, height });
      await animationsDone(page);
      await page.screenshot({ path: join(dir, `main-${theme}-${width}x${height}.png`) });
    }
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.click('button[aria-label="Resources"]');
    await page.waitForSelector(".live-chart polyline");
    await page.screenshot({ path: join(dir, `resources-${theme}.png`) });
    await page.click('button[aria-label="Chat settings"]');
    await page.screenshot({ path: join(dir, `chat-settings-${theme}.png`) });
    await page.keyboard.press("Escape");
    for (const name of ["Models", "Settings"]) {
      await page.click(`.sidebar-link:has-text("${name}")`);
      await page.waitForSelector(".dialog");
      await animationsDone(page); // the fade-in
      await page.screenshot({ path: join(dir, `${name.toLowerCase()}-${theme}.png`) });
      await page.keyboard.press("Escape");
    }
  }
  await page.click("button.new-chat");
  await animationsDone(page); // the context bar's transition
  await page.screenshot({ path: join(dir, "new-chat.png") });
}
