/**
 * The model browser end to end: the real app server (`startApp`, the real engine and
 * library) pointed at the fake Hugging Face hub (a real HTTP server on 127.0.0.1) and an
 * empty Hugging Face cache in a temp folder, driven through headless Chromium: search the hub,
 * open a repository, check a file's quantization, size and memory fit, download it (with
 * progress, pause and resume), find it in the Local tab, load it and chat with it.
 *
 * Screenshots go to a temp folder (removed at the end); set HEARTH_TEST_SCREENSHOTS=DIR to
 * keep copies.
 *
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K_CHATML } from "../models.ts";
import type { LibraryEntry } from "../../api/types.ts";
import { formatBytes } from "../../ui/lib/format.ts";
import { E2e, E2E_TEST, stepper, tempDir } from "./_browser.ts";

const REPO = "tiny/stories";
const FILE = "stories-Q4_K_M.gguf";
/** Body speed of the fake hub while downloading: the 1.2 MB file takes about 3 s. */
const DOWNLOAD_BYTES_PER_SECOND = 400_000;
const WAIT_MS = 20_000;
const REPLY_MAX_TOKENS = 24;
/** A reply of {@link REPLY_MAX_TOKENS} tokens, with room for a slow, busy machine. */
const REPLY_WAIT_MS = 60_000;

Deno.test({
  name: "e2e: model browser searches the hub, downloads, loads and chats in Chromium",
  ...E2E_TEST,
}, async (t) => {
  await using hubOwner = new AsyncDisposableStack();
  const hub = hubOwner.adopt(
    await startFakeHub({
      repos: [{ id: REPO, files: [{ path: FILE, source: STORIES_260K_CHATML }], downloads: 42 }],
    }),
    (hub) => hub.close(),
  );
  await using cache = await tempDir("hearth-e2e-hf-cache-");
  const cacheDir = cache.path;
  await using e2e = await E2e.start({
    app: {
      hub: { endpoint: hub.endpoint, token: undefined, cacheDir },
      libraryRoots: [{ kind: "hf-cache", path: cacheDir }],
    },
  });
  const page = await e2e.page({ viewport: { width: 1100, height: 760 } });
  page.setDefaultTimeout(WAIT_MS);
  const shot = (name: string) => e2e.shot(page, name);
  const api = <T>(path: string): Promise<T> => e2e.api.json("GET", path);
  const step = stepper(t);
  const fileRow = page.locator(`tr[data-file="${FILE}"]`);
  const { size } = await Deno.stat(STORIES_260K_CHATML);

  await step("1. the app opens with the bundled model", async () => {
    await page.goto(e2e.app.launchUrl);
    await page.locator('.model-button[aria-label^="Model: stories260K"]').waitFor();
  });

  await step("2. the Hub tab finds the repository and shows its file with fit", async () => {
    await page.getByRole("button", { name: "Models", exact: true }).click();
    await page.getByRole("tab", { name: /Hub/ }).click();
    await page.getByLabel("Search the hub").fill("stories");
    const result = page.locator(".hub-open", { hasText: REPO });
    await result.waitFor();
    await shot("01-hub-search");
    await result.click();
    await fileRow.waitFor();
    assertEquals(await fileRow.locator("td.quant").textContent(), "Q4_K_M");
    assertEquals(await fileRow.locator("td.num").first().textContent(), formatBytes(size));
    assert(await fileRow.evaluate((el) => el.classList.contains("recommended")));
    const badge = fileRow.locator("summary.fit-badge");
    await badge.waitFor();
    assert(
      /^(Fits|Tight fit|Does not fit)$/.test(await badge.textContent() ?? ""),
      await badge.textContent() ?? "",
    );
    const title = await badge.getAttribute("title");
    assert(title?.includes("Largest n_ctx that fits"), title ?? "");
    assert(!title?.includes("Estimated from"), "llama.cpp's simulation answered");
    // Details reads the header over HTTP ranges, before any download.
    await page.getByRole("button", { name: `Details of ${FILE}` }).click();
    const facts = page.locator("tr.file-details .file-metadata");
    await facts.waitFor();
    const text = await facts.textContent() ?? "";
    for (const fact of ["Architecturellama", "Layers5", "Embedding size64", "Chat templateYes"]) {
      assert(text.includes(fact), `${fact} in ${text}`);
    }
    await shot("02-hub-repo");
  });

  await step("3. Download shows progress, pauses, resumes and completes", async () => {
    hub.faults.bytesPerSecond = DOWNLOAD_BYTES_PER_SECOND;
    await page.getByRole("button", { name: `Download ${FILE}` }).click();
    const item = page.locator(".downloads .download", { hasText: FILE });
    await item.locator(".download-detail", { hasText: "/s" }).waitFor();
    const bar = item.getByRole("progressbar");
    await page.waitForFunction(() => {
      const now = document.querySelector('.download [role="progressbar"]')
        ?.getAttribute("aria-valuenow");
      return Number(now) > 0 && Number(now) < 100;
    });
    await shot("03-download-progress");
    await item.getByRole("button", { name: "Pause" }).click();
    await item.locator(".download-detail", { hasText: "Paused" }).waitFor();
    const paused = Number(await bar.getAttribute("aria-valuenow"));
    assert(paused < 100, `paused at ${paused}%`);
    await item.getByRole("button", { name: "Resume" }).click();
    hub.faults.bytesPerSecond = 0;
    await item.locator(".download-detail", { hasText: "Done" }).waitFor();
    assertEquals(await bar.getAttribute("aria-valuenow"), "100");
    await fileRow.locator(".badge", { hasText: "Downloaded" }).waitFor();
    await shot("04-download-done");
  });

  let entry: LibraryEntry | undefined;
  await step("4. the Local tab lists the file from the HF cache, with its repo", async () => {
    await page.getByRole("tab", { name: /Local/ }).click();
    await page.getByLabel("Source", { exact: true }).selectOption("hf-cache");
    const row = page.locator(".model-row", { hasText: REPO });
    await row.waitFor();
    assertEquals(await row.locator(".model-origin").textContent(), `HF cache · ${REPO}`);
    await row.locator("summary.fit-badge").waitFor();
    const { models } = await api<{ models: LibraryEntry[] }>("/api/models");
    entry = models.find((m) => m.hf_repo === REPO);
    assert(entry, JSON.stringify(models));
    assertEquals(entry.source, "hf-cache");
    assert(entry.path.startsWith(cacheDir) && entry.path.endsWith(FILE), entry.path);
    assert(
      (await row.locator(".model-facts").textContent())?.includes(formatBytes(entry.size_bytes)),
    );
    await shot("05-local-hf-cache");
  });

  await step("5. Load makes it the model in the header", async () => {
    const row = page.locator(".model-row", { hasText: REPO });
    await row.getByRole("button", { name: `Load ${entry!.name}` }).click();
    await row.locator(".badge", { hasText: "Loaded" }).waitFor();
    await page.locator(`.model-button[aria-label="Model: ${entry!.name}. Change model"]`)
      .waitFor();
    const state = await api<{ loaded: { path: string } | null }>("/api/state");
    assertEquals(state.loaded?.path, entry!.path);
    await shot("06-loaded");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "Models" }).waitFor({ state: "detached" });
  });

  await step("6. a new chat gets a reply from the downloaded model", async () => {
    await page.getByRole("button", { name: /New chat/ }).click();
    // A short reply: this step checks which model answers, not how long it can write.
    await page.getByRole("button", { name: "Chat settings" }).click();
    const maxTokens = page.getByRole("complementary", { name: "Chat settings" })
      .getByLabel("Max tokens", { exact: true });
    await maxTokens.fill(String(REPLY_MAX_TOKENS));
    await maxTokens.blur();
    await page.getByRole("button", { name: "Close chat settings" }).click();
    const composer = page.locator("#composer-input");
    await composer.fill("Once upon a time");
    await composer.press("Enter");
    const reply = page.locator("article.message.assistant").first();
    await reply.getByLabel("Reply statistics").waitFor({ timeout: REPLY_WAIT_MS });
    assert(((await reply.locator(".markdown").textContent()) ?? "").trim().length > 0);
    await shot("07-chat-reply");
    // The reply came from the loaded model: it is still loaded and is the default now.
    const state = await api<{ loaded: { path: string }; settings: { default_model: string } }>(
      "/api/state",
    );
    assertEquals(state.loaded.path, entry!.path);
    assertEquals(state.settings.default_model, entry!.path);
  });

  assertEquals(e2e.errors, []);
});
