/**
 * The resource panel in Chromium against the real app and engine: it shows the app's own CPU
 * use and memory and a meter per ggml device with the memory the engine read from
 * `ggml_backend_dev_memory` (here the CPU device: the machine's RAM).
 *
 * @module
 */
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../ui/_page_server.ts";
import { ChatApi, WAIT_MS } from "./_chat_api.ts";

Deno.test({
  name: "e2e: the resource panel shows each ggml device's memory and the app's CPU",
  // Playwright keeps a browser process and pipes open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "hearth-e2e-resources-" });
  let app: RunningApp | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    app = await startApp({ dataDir, loadDefaultModel: false, libraryRoots: [] });
    const api = new ChatApi(app);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(WAIT_MS);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));

    await page.goto(app.launchUrl);
    await page.getByRole("button", { name: "Resources" }).click();
    const devices = page.getByRole("region", { name: "Devices" });
    const cpu = devices.getByRole("meter", { name: "CPU memory" });
    await cpu.waitFor();
    const { devices: read } = await api.json("GET", "/api/resources");
    const total = Number(await cpu.getAttribute("aria-valuemax"));
    assertEquals(total, read[0].memory_total_bytes);
    const used = Number(await cpu.getAttribute("aria-valuenow"));
    assert(used > 0 && used <= total, `${used} of ${total}`);
    const figures = await devices.locator(".meter-head .muted").textContent() ?? "";
    assert(figures.includes("system RAM") && figures.includes(read[0].description), figures);
    await page.getByRole("meter", { name: "CPU (this app)" }).waitFor();
    assertEquals(errors, []);
  } finally {
    await browser?.close();
    await app?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
