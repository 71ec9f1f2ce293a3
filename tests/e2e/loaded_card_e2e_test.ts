/**
 * The loaded-model card names the model as the library does, with the library's facts, not
 * llama.cpp's description (which for the bundled model is the guess "llama ?B (guessed) all
 * F32"). Chromium against the real app with the bundled model loaded.
 *
 * @module
 */
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../ui/_page_server.ts";
import { ChatApi, WAIT_MS } from "./_chat_api.ts";

Deno.test({
  name: "e2e: the loaded-model card shows the library's name and facts, not a guess",
  // Playwright keeps a browser process and pipes open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "hearth-e2e-card-" });
  let app: RunningApp | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    app = await startApp({ dataDir, libraryRoots: [] });
    const api = new ChatApi(app);
    await api.until(async () => (await api.json("GET", "/api/state")).loaded !== null, "model");
    const { loaded } = await api.json("GET", "/api/state");
    const { models } = await api.json("GET", "/api/models");
    const entry = models.find((m: { path: string }) => m.path === loaded.path);
    assert(entry, `the library lists ${loaded.path}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(app.launchUrl);
    await page.getByRole("button", { name: "Models", exact: true }).click();
    const card = page.getByRole("region", { name: "Loaded model" });
    await card.waitFor();
    assertEquals(await card.locator(".loaded-name").textContent(), entry.name);
    const facts = await card.locator(".loaded-facts").textContent();
    assertEquals(facts, [entry.architecture, entry.quantization].filter(Boolean).join(" · "));
    assert(!(await card.textContent())?.includes("guessed"), await card.textContent() ?? "");
  } finally {
    await browser?.close();
    await app?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
