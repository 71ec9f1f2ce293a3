/**
 * The Sheets grid's scrolling in headless Chromium: a sheet of N rows (default 100,000;
 * three data columns, imported from a CSV through a workspace folder) is opened in the
 * real UI served by a headless app in this process, then scrolled with the mouse wheel
 * (`--wheels` events of `--wheel-px` each, one per animation frame, as a fast wheel or
 * trackpad does) and dragged to the end. The page records every animation frame's
 * interval and the most row elements the DOM held. Reports frame-time percentiles, frames
 * over 33 ms (two frames at 60 Hz) and the row elements; the grid renders only the rows
 * on screen, so the work per frame does not grow with N (compare `--rows 1000`).
 *
 * ```
 * deno run -A bench/sheet_grid_scroll.ts [--rows 100000] [--wheels 300] [--wheel-px 400]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startApp } from "../cli/app.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../tests/ui/_page_server.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    wheels: { type: "string", default: "300" },
    "wheel-px": { type: "string", default: "400" },
  },
});
const rowCount = Number(values.rows);
const wheels = Number(values.wheels);
const wheelPx = Number(values["wheel-px"]);

const dataDir = await Deno.makeTempDir({ prefix: "hearth-bench-grid-" });
const workspace = await Deno.makeTempDir({ prefix: "hearth-bench-grid-ws-" });
const lines = ["id,title,body"];
for (let i = 0; i < rowCount; i++) lines.push(`${i},Title ${i},"Body of row ${i}, with a comma"`);
await Deno.writeTextFile(join(workspace, "rows.csv"), lines.join("\n") + "\n");
const app = await startApp({ dataDir, loadDefaultModel: false } as Parameters<typeof startApp>[0]);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
try {
  const auth = { authorization: `Bearer ${new URL(app.launchUrl).searchParams.get("secret")}` };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(new URL(path, app.launchUrl), {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return await response.json();
  };
  const ws = await post("/api/workspaces", { path: workspace });
  const started = performance.now();
  await post("/api/sheets/import", { workspace: ws.id, path: "rows.csv" });
  const importMs = performance.now() - started;

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } }))
    .newPage();
  await page.goto(app.launchUrl);
  await page.getByRole("tab", { name: "Sheets" }).click();
  await page.getByRole("list", { name: "Sheets" }).getByRole("button", { name: /^rows\.csv/ })
    .click();
  await page.locator('.sheet-row[data-row="0"] .sheet-td').first().waitFor();
  const grid = page.locator(".sheet-grid");
  const box = (await grid.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // Frame intervals and the most row elements, recorded in the page.
  await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number[]; __maxRows: number; __on: boolean };
    w.__frames = [];
    w.__maxRows = 0;
    w.__on = true;
    let last = performance.now();
    const frame = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      w.__maxRows = Math.max(w.__maxRows, document.querySelectorAll(".sheet-row").length);
      if (w.__on) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  for (let i = 0; i < wheels; i++) {
    await page.mouse.wheel(0, wheelPx);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  }
  const jumped = performance.now();
  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.locator(`.sheet-row[data-row="${rowCount - 1}"] .sheet-td`).first().waitFor();
  const lastRowMs = performance.now() - jumped;
  const { frames, maxRows } = await page.evaluate(() => {
    const w = globalThis as unknown as { __frames: number[]; __maxRows: number; __on: boolean };
    w.__on = false;
    return { frames: w.__frames.slice(1), maxRows: w.__maxRows };
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const load = Deno.loadavg()[0];
  console.log(
    `| rows | frames | p50 ms | p95 ms | p99 ms | frames > 33 ms | max row elements | last row after jump | import |`,
  );
  console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  console.log(
    `| ${rowCount.toLocaleString("en-US")} | ${frames.length} | ${at(0.5).toFixed(1)} | ` +
      `${at(0.95).toFixed(1)} | ${at(0.99).toFixed(1)} | ` +
      `${frames.filter((f) => f > 33).length} | ${maxRows} | ${lastRowMs.toFixed(0)} ms | ` +
      `${(importMs / 1000).toFixed(1)} s |`,
  );
  console.log(`load average ${load.toFixed(1)}`);
} finally {
  await browser.close();
  await app.close();
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(workspace, { recursive: true });
}
