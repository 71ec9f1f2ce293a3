/**
 * The page's first paint has the theme's colours, before the settings arrive: with the dark
 * theme chosen, index.html comes with `data-theme="dark"`, so the page is never white while
 * `/api/state` is on its way (a white flash at every start of the dark app). Chromium against
 * the real app; the test holds `/api/state` to look at the page before the UI has its settings.
 *
 * @module
 */
import { chromium } from "playwright-core";
import { assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../ui/_page_server.ts";
import { WAIT_MS } from "./_chat_api.ts";

/** ui/styles/base.css's dark --bg, #1d1c1b. */
const DARK_BG = "rgb(29, 28, 27)";

Deno.test({
  name: "e2e: a dark app's page paints dark before its settings arrive",
  // Playwright keeps a browser process and pipes open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "hearth-e2e-theme-" });
  let app: RunningApp | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    app = await startApp({ dataDir, loadDefaultModel: false, libraryRoots: [] });
    app.app.storage.settings.patch({ theme: "dark" });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    // A light OS preference: only the setting can make the page dark.
    const page = await browser.newPage({ colorScheme: "light" });
    page.setDefaultTimeout(WAIT_MS);
    const held = Promise.withResolvers<void>();
    const asked = Promise.withResolvers<void>();
    await page.route("**/api/state", async (route) => {
      asked.resolve();
      await held.promise;
      await route.continue();
    });
    await page.goto(app.launchUrl);
    await asked.promise;
    const before = await page.evaluate(() => ({
      theme: document.documentElement.dataset.theme,
      background: getComputedStyle(document.body).backgroundColor,
    }));
    held.resolve();
    assertEquals(before, { theme: "dark", background: DARK_BG });
  } finally {
    await browser?.close();
    await app?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
