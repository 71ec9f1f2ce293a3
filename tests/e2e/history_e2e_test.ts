/**
 * The Generation history and bench charts end to end: two real `deno task bench` runs
 * (stories260K, pp8/tg4, one and two threads) saved in the app's database, the real app
 * server with two real replies, driven through headless Chromium: the History dialog lists
 * both replies with their model, settings and metrics, the text and kind filters narrow it,
 * and the Benchmarks tab charts each test per model and settings.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K } from "../models.ts";
import { E2e, E2E_TEST, stepper } from "./_browser.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A real, tiny bench run saved in `db`. */
async function bench(db: string, threads: number): Promise<void> {
  const args = ["run", "-A", "main.ts", "bench", "-m", STORIES_260K, "-p", "8", "-n", "4"];
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...args, "-r", "1", "-t", String(threads), "-o", "csv", "--db", db],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(output.success, new TextDecoder().decode(output.stderr));
}

Deno.test({
  name: "e2e: the History dialog lists and filters replies, and charts bench runs in Chromium",
  ...E2E_TEST,
}, async (t) => {
  await using e2e = await E2e.start({
    beforeStart: async (dataDir) => {
      await bench(join(dataDir, "hearth.db"), 1);
      await bench(join(dataDir, "hearth.db"), 2);
    },
  });
  const { api } = e2e;
  await api.loaded();
  for (const title of ["Dragon tales", "Cat stories"]) {
    const chat = await api.json("POST", "/api/chats", {
      title,
      sampling: { temperature: 0, max_tokens: 6 },
    });
    await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    await api.settled(chat.id);
  }
  const page = await e2e.page();
  const dialog = page.getByRole("dialog", { name: "Generation history" });
  const rows = dialog.locator("tr.history-entry");
  const step = stepper(t);

  await step("1. History lists both replies with model, settings and metrics", async () => {
    await page.goto(e2e.app.launchUrl);
    await page.getByRole("button", { name: "History", exact: true }).click();
    await dialog.getByText("1–2 of 2").waitFor();
    assertEquals(await rows.count(), 2);
    // Newest first.
    const first = rows.first();
    await first.getByText("Cat stories").waitFor();
    await first.getByText("stories260K.gguf").waitFor();
    await first.getByText(/temp 0 · .*max 6 · n_ctx \d+/).waitFor();
    const cells = await first.locator("td").allInnerTexts();
    assert(/tok\/s$/.test(cells[7]), `speed: ${cells[7]}`);
    assert(/\d+ ms$|s$/.test(cells[6]), `TTFT: ${cells[6]}`);
  });

  await step("2. the text, kind and model filters narrow the list", async () => {
    await dialog.getByRole("searchbox", { name: "Text" }).fill("dragon");
    await dialog.getByText("1–1 of 1").waitFor();
    await rows.first().getByText("Dragon tales").waitFor();
    assertEquals(await rows.count(), 1);
    await dialog.getByRole("combobox", { name: "Kind" }).selectOption("sheet_job");
    await dialog.getByText("Nothing matches").waitFor();
    await dialog.getByRole("button", { name: "Clear" }).click();
    await dialog.getByText("1–2 of 2").waitFor();
    const model = dialog.getByRole("combobox", { name: "Model" });
    await model.selectOption({ label: "stories260K.gguf" });
    await dialog.getByText("1–2 of 2").waitFor();
  });

  await step("3. a reply's chat opens from the history", async () => {
    await rows.last().getByRole("button", { name: "Dragon tales" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator("header.chat-header").getByText("Dragon tales").waitFor();
    await page.getByRole("button", { name: "History", exact: true }).click();
    await dialog.getByText("1–2 of 2").waitFor();
  });

  await step("4. the Benchmarks tab charts each test per model and settings", async () => {
    await dialog.getByRole("tab", { name: "Benchmarks" }).click();
    const charts = dialog.locator("figure.bench-chart");
    await charts.first().waitFor();
    assertEquals(await charts.locator("figcaption").allInnerTexts(), ["pp8", "tg4"]);
    const tg = charts.nth(1).getByRole("img");
    const label = (await tg.getAttribute("aria-label"))!;
    assert(label.startsWith("tg4 tok/s per model and settings"), label);
    // One series per thread count, each a bar.
    assert(label.includes("stories260K.gguf (t 1 ·") && label.includes("(t 2 ·"), label);
    assertEquals(await charts.nth(1).locator("rect").count(), 2);
    assertEquals(
      await dialog.getByRole("table", { name: "Bench runs" }).locator("tbody tr").count(),
      2,
    );
  });

  assertEquals(e2e.errors, []);
});
