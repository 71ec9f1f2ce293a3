/**
 * The loaded-model card names the model as the library does, with the library's facts, not
 * llama.cpp's description (which for the bundled model is the guess "llama ?B (guessed) all
 * F32"). Chromium against the real app with the bundled model loaded.
 *
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

Deno.test({
  name: "e2e: the loaded-model card shows the library's name and facts, not a guess",
  ...E2E_TEST,
}, async () => {
  await using e2e = await E2e.start({ app: { libraryRoots: [] } });
  const { api } = e2e;
  await api.loaded();
  const { loaded } = await api.json("GET", "/api/state");
  const { models } = await api.json("GET", "/api/models");
  const entry = models.find((m: { path: string }) => m.path === loaded.path);
  assert(entry, `the library lists ${loaded.path}`);
  const page = await e2e.page();
  await page.goto(e2e.app.launchUrl);
  await page.getByRole("button", { name: "Models", exact: true }).click();
  const card = page.getByRole("region", { name: "Loaded model" });
  await card.waitFor();
  assertEquals(await card.locator(".loaded-name").textContent(), entry.name);
  const facts = await card.locator(".loaded-facts").textContent();
  assertEquals(facts, [entry.architecture, entry.quantization].filter(Boolean).join(" · "));
  assert(!(await card.textContent())?.includes("guessed"), await card.textContent() ?? "");
});
