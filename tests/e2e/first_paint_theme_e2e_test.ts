/**
 * The page's first paint has the theme's colours, before the settings arrive: with the dark
 * theme chosen, index.html comes with `data-theme="dark"`, so the page is never white while
 * `/api/state` is on its way (a white flash at every start of the dark app). Chromium against
 * the real app; the test holds `/api/state` to look at the page before the UI has its settings.
 *
 * @module
 */
import { assertEquals } from "../assert.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

/** ui/styles/base.css's dark --bg, #1d1c1b. */
const DARK_BG = "rgb(29, 28, 27)";

Deno.test({
  name: "e2e: a dark app's page paints dark before its settings arrive",
  ...E2E_TEST,
}, async () => {
  await using e2e = await E2e.start({ app: { loadDefaultModel: false, libraryRoots: [] } });
  e2e.app.app.storage.settings.patch({ theme: "dark" });
  // A light OS preference: only the setting can make the page dark.
  const page = await e2e.page({ colorScheme: "light" });
  const held = Promise.withResolvers<void>();
  const asked = Promise.withResolvers<void>();
  await page.route("**/api/state", async (route) => {
    asked.resolve();
    await held.promise;
    await route.continue();
  });
  await page.goto(e2e.app.launchUrl);
  await asked.promise;
  const before = await page.evaluate(() => ({
    theme: document.documentElement.dataset.theme,
    background: getComputedStyle(document.body).backgroundColor,
  }));
  held.resolve();
  assertEquals(before, { theme: "dark", background: DARK_BG });
});
