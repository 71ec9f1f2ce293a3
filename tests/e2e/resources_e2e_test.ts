/**
 * The resource panel in Chromium against the real app and engine: it shows the app's own CPU
 * use and memory and a meter per ggml device with the memory the engine read from
 * `ggml_backend_dev_memory` (here the CPU device: the machine's RAM).
 *
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

Deno.test({
  name: "e2e: the resource panel shows each ggml device's memory and the app's CPU",
  ...E2E_TEST,
}, async () => {
  await using e2e = await E2e.start({ app: { loadDefaultModel: false, libraryRoots: [] } });
  const page = await e2e.page();
  await page.goto(e2e.app.launchUrl);
  await page.getByRole("button", { name: "Resources" }).click();
  const devices = page.getByRole("region", { name: "Devices" });
  const cpu = devices.getByRole("meter", { name: "CPU memory" });
  await cpu.waitFor();
  const { devices: read } = await e2e.api.json("GET", "/api/resources");
  const total = Number(await cpu.getAttribute("aria-valuemax"));
  assertEquals(total, read[0].memory_total_bytes);
  const used = Number(await cpu.getAttribute("aria-valuenow"));
  assert(used > 0 && used <= total, `${used} of ${total}`);
  const figures = await devices.locator(".meter-head .muted").textContent() ?? "";
  assert(figures.includes("system RAM") && figures.includes(read[0].description), figures);
  await page.getByRole("meter", { name: "CPU (this app)" }).waitFor();
  assertEquals(e2e.errors, []);
});
