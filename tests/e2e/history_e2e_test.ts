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
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { STORIES_260K } from "../models.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../ui/_page_server.ts";
import { ChatApi, WAIT_MS } from "./_chat_api.ts";

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
  // Playwright keeps a browser process and pipes open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "hearth-e2e-history-" });
  let app: RunningApp | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    await bench(join(dataDir, "hearth.db"), 1);
    await bench(join(dataDir, "hearth.db"), 2);
    app = await startApp({ dataDir });
    const api = new ChatApi(app);
    await api.until(async () => (await api.json("GET", "/api/state")).loaded !== null, "model");
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
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } }))
      .newPage();
    page.setDefaultTimeout(WAIT_MS);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    const dialog = page.getByRole("dialog", { name: "Generation history" });
    const rows = dialog.locator("tr.history-entry");
    const step = async (name: string, fn: () => Promise<void>) => {
      assert(await t.step(name, fn), `step failed: ${name}`);
    };

    await step("1. History lists both replies with model, settings and metrics", async () => {
      await page.goto(app!.launchUrl);
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

    assertEquals(errors, []);
  } finally {
    await browser?.close();
    await app?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
