/**
 * The per-model Device select against the real app in Chromium: it lists Auto and every
 * device kind, only the detected ones (GET /api/model-options/devices) enabled; choosing one
 * saves it as `variant` with the model's load options, and Reload loads the model on its
 * package, which the card then shows. Vulkan where it is detected (here: Mesa's lavapipe,
 * named by GGML_VK_VISIBLE_DEVICES), so the reload starts another engine; else CPU.
 *
 * @module
 */
import { assertEquals } from "../assert.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

Deno.test({
  name: "e2e: the Device select offers the detected kinds and loads the model on the chosen one",
  ...E2E_TEST,
}, async () => {
  // ggml-vulkan skips CPU-type Vulkan devices (lavapipe is one) unless they are named.
  Deno.env.set("GGML_VK_VISIBLE_DEVICES", "0");
  try {
    await using e2e = await E2e.start({ app: { libraryRoots: [] } });
    const { api } = e2e;
    await api.loaded();
    const { loaded } = await api.json("GET", "/api/state");
    const { devices } = await api.json("GET", "/api/model-options/devices");
    const page = await e2e.page();
    await page.goto(e2e.app.launchUrl);
    await page.getByRole("button", { name: "Models", exact: true }).click();
    const card = page.getByRole("region", { name: "Loaded model" });
    await card.locator(".load-options summary").click();
    const select = card.getByLabel("Device");
    await select.locator('option[value="cpu"]').waitFor({ state: "attached" });
    assertEquals(await select.inputValue(), "", "Auto: no saved choice");
    assertEquals(
      await select.locator("option").evaluateAll((o) =>
        o.map((e) => [e.getAttribute("value"), (e as HTMLOptionElement).disabled])
      ),
      [
        ["", false],
        ...devices.map((d: { device: string; detected: boolean }) => [
          d.device,
          !d.detected,
        ]),
      ],
    );
    const vulkan = devices.find((d: { device: string }) => d.device === "vulkan").detected;
    const [kind, variant, shown] = vulkan
      ? ["vulkan", "linux-x64-vulkan", "Vulkan0, CPU"]
      : ["cpu", "linux-x64", "CPU"];
    await select.selectOption(kind);
    const path = encodeURIComponent(loaded.path);
    await api.until(
      async () =>
        (await api.json("GET", `/api/model-options?path=${path}`)).options.variant === kind,
      "the saved variant",
    );
    await card.getByRole("button", { name: "Reload now" }).click();
    await api.until(async () => {
      const { loaded, loading } = await api.json("GET", "/api/state");
      return loading === null && loaded?.variant === variant;
    }, "the reload on the chosen package");
    const devicesShown = card.locator(`dd[title="Prebuilt package: ${variant}"]`);
    await devicesShown.waitFor();
    assertEquals(await devicesShown.textContent(), shown);
    const state = await api.json("GET", "/api/state");
    assertEquals([state.loaded.variant, state.loaded.devices.join(", ")], [variant, shown]);
  } finally {
    Deno.env.delete("GGML_VK_VISIBLE_DEVICES");
  }
});
