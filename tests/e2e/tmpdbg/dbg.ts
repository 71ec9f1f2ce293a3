import { chromium } from "playwright-core";
import { join } from "node:path";
import { startApp } from "../../../cli/app.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../../ui/_page_server.ts";
import { ChatApi } from "../_chat_api.ts";
const dataDir = await Deno.makeTempDir();
const ws = await Deno.makeTempDir();
await Deno.writeTextFile(join(ws, "t.csv"), "id,text\n1,A red ball.\n2,A big dog.\n3,A hot sun.\n");
const app = await startApp({ dataDir });
const api = new ChatApi(app);
await api.until(async () => (await api.json("GET", "/api/state")).loaded !== null, "model");
const w = await api.json("POST", "/api/workspaces", { path: ws });
const sheet = await api.json("POST", "/api/sheets/import", { workspace: w.id, path: "t.csv" });
const col = await api.json("POST", `/api/sheets/${sheet.id}/columns`, {
  name: "story",
  kind: "ai",
  ai: { prompt: "Tell of {{text}}", max_tokens: 200 },
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 700 } })).newPage();
page.on("pageerror", (e) => console.log("err", e.message));
await page.goto(app.launchUrl);
await page.getByRole("tab", { name: "Sheets" }).click();
await page.getByRole("list", { name: "Sheets" }).getByRole("button", { name: /^t.csv/ }).click();
await page.locator(".sheet-th-name", { hasText: "story" }).click();
await page.getByRole("button", { name: "Generate", exact: true }).click();
await new Promise((r) => setTimeout(r, 400));
await page.screenshot({ path: "/tmp/sdbg/running.png" });
await page.locator(".job-state", { hasText: "done" }).waitFor({ timeout: 60000 });
await page.locator('.sheet-row[data-row="0"] .sheet-td').nth(1).click();
await page.screenshot({ path: "/tmp/sdbg/details.png" });
await page.getByRole("button", { name: "Edit “story”" }).click();
const prompt = page.getByLabel("Prompt", { exact: true });
await prompt.click();
await prompt.press("End");
await prompt.pressSequentially(" and {{");
await page.screenshot({ path: "/tmp/sdbg/column.png" });
await page.keyboard.press("Escape");
await browser.close();
await app.close();
