/**
 * The Sheets workbench end to end: the real app server (SQLite in a temp folder, the real
 * engine and stories260K) over real HTTP, driven through headless Chromium. A 100,000-row
 * sheet scrolls to its last row with fewer than 200 row elements in the DOM; a CSV is
 * imported through the open dialog over a workspace folder; an AI column is written with
 * `{{` completion and generated with the sheet's parallelism set to 2; a cell is approved
 * and edited by hand; the sheet is exported through the save dialog; a long job pauses,
 * resumes and cancels; a failed cell shows its error and "retry failed cells" reruns only
 * it; an empty sheet gets a data column and a typed value, is renamed and deleted. The
 * API only sets up and checks what was stored.
 *
 * @module
 */
import { join } from "node:path";
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { E2e, E2E_TEST, stepper, tempDir } from "./_browser.ts";

/** Rows of the big sheet. */
const BIG_ROWS = 100_000;
/** The bound on row elements in the DOM at any time. */
const MAX_ROW_ELEMENTS = 200;
/** Tokens per generated cell: short, so a loaded 2-core machine finishes in seconds. */
const MAX_TOKENS = 8;
const EDITED = "A hand-written tale.";

/** Row elements in the DOM now. */
function rowElements(page: Page): Promise<number> {
  return page.locator(".sheet-row").count();
}

Deno.test({
  name: "e2e: Sheets: 100k-row grid, import, {{ completion, generate, approve, edit, export, jobs",
  ...E2E_TEST,
}, async (t) => {
  await using workspaceDir = await tempDir("hearth-e2e-ws-");
  const workspace = workspaceDir.path;
  await Deno.writeTextFile(
    join(workspace, "tickets.csv"),
    "id,text\n1,A red ball.\n2,A big dog.\n3,A hot sun.\n",
  );
  await using e2e = await E2e.start();
  const { api } = e2e;
  const page = await e2e.page();
  const step = stepper(t);
  const grid = page.locator(".sheet-grid");
  const sheetList = page.getByRole("list", { name: "Sheets" });

  await api.json("POST", "/api/sheets", { name: "big", rows: BIG_ROWS });
  await api.loaded();

  await step(
    "1. a 100,000-row sheet keeps < 200 rows in the DOM and scrolls to its end",
    async () => {
      await page.goto(e2e.app.launchUrl);
      await page.getByRole("tab", { name: "Sheets" }).click();
      await sheetList.getByRole("button", { name: /^big/ }).click();
      await page.locator('.sheet-row[data-row="0"]').waitFor();
      assertEquals(await grid.getAttribute("aria-rowcount"), String(BIG_ROWS + 1));
      const first = await rowElements(page);
      assert(first > 0 && first < MAX_ROW_ELEMENTS, `${first} row elements`);
      // Scroll in steps (as a wheel would), then to the very end.
      for (const fraction of [0.25, 0.5, 0.75]) {
        await grid.evaluate((el, f) => (el.scrollTop = el.scrollHeight * f), fraction);
        const middle = Math.floor(BIG_ROWS * fraction);
        await page.locator(`.sheet-row[data-row="${middle}"]`).waitFor();
        const n = await rowElements(page);
        assert(n < MAX_ROW_ELEMENTS, `${n} row elements at ${fraction}`);
      }
      await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
      const last = page.locator(`.sheet-row[data-row="${BIG_ROWS - 1}"]`);
      await last.waitFor();
      assertEquals((await last.locator(".sheet-index").textContent())?.trim(), String(BIG_ROWS));
      // The last row is inside the grid's visible box, not just in the DOM.
      const [row, box] = [await last.boundingBox(), await grid.boundingBox()];
      assert(row && box && row.y + row.height <= box.y + box.height + 1, "last row not visible");
      const n = await rowElements(page);
      assert(n < MAX_ROW_ELEMENTS, `${n} row elements at the end`);
    },
  );

  let sheetId = "";
  await step("2. a CSV is imported from a workspace folder through the open dialog", async () => {
    await page.getByRole("button", { name: "Import…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import a table" });
    // A browser has no native folder dialog: the folder is added by its path.
    await dialog.getByLabel("Folder path").fill(workspace);
    await dialog.getByRole("button", { name: "Add folder" }).click();
    await dialog.getByRole("button", { name: "tickets.csv" }).click();
    await dialog.getByRole("button", { name: "Open" }).click();
    await dialog.waitFor({ state: "detached" });
    await grid.getByText("A red ball.").waitFor();
    const { sheets } = await api.json("GET", "/api/sheets");
    const imported = sheets.find((s: { name: string }) => s.name === "tickets.csv");
    assert(imported, JSON.stringify(sheets));
    assertEquals(imported.row_count, 3);
    sheetId = imported.id;
  });

  await step("3. an AI column's prompt completes column names after {{", async () => {
    await page.getByRole("button", { name: "Column", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Add column" });
    await dialog.getByLabel("Column name").fill("story");
    const prompt = dialog.getByLabel("Prompt", { exact: true });
    await prompt.click();
    await prompt.pressSequentially("Tell of {{");
    const options = dialog.getByRole("listbox", { name: "Columns" }).getByRole("option");
    assertEquals(await options.allTextContents(), ["id", "text"]);
    await prompt.pressSequentially("te");
    assertEquals(await options.allTextContents(), ["text"]);
    await prompt.press("Enter");
    assertEquals(await prompt.inputValue(), "Tell of {{text}}");
    const maxTokens = dialog.getByLabel("Max tokens");
    await maxTokens.fill(String(MAX_TOKENS));
    await maxTokens.press("Tab");
    const temperature = dialog.getByLabel("Temperature");
    await temperature.fill("0");
    await temperature.press("Tab");
    await dialog.getByRole("button", { name: "Add column" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("columnheader", { name: /story/ }).waitFor();
    const { columns } = await api.json("GET", `/api/sheets/${sheetId}`);
    const story = columns.find((c: { name: string }) => c.name === "story");
    assertEquals(story.ai.prompt, "Tell of {{text}}");
    assertEquals([story.ai.max_tokens, story.ai.sampling.temperature], [MAX_TOKENS, 0]);
  });

  await step(
    "4. generating the column fills every cell on stories260K, with progress",
    async () => {
      // The sheet's parallelism: 2 rows at once.
      const slots = page.getByLabel("Rows generated at once");
      assertEquals(await slots.inputValue(), "8");
      await slots.fill("2");
      await slots.press("Enter");
      await api.until(
        async () => (await api.json("GET", `/api/sheets/${sheetId}`)).sheet.parallel === 2,
        "the parallel setting",
      );
      await page.locator(".sheet-th-name", { hasText: "story" }).click();
      await page.getByRole("button", { name: "Generate", exact: true }).click();
      const job = page.locator(".job-progress", { hasText: "story" });
      await job.locator(".job-rows", { hasText: "3/3 rows" }).waitFor();
      await job.locator(".job-state", { hasText: "done" }).waitFor();
      await page.locator('.sheet-td[data-state="done"]').nth(2).waitFor();
      const rows = await api.json("GET", `/api/sheets/${sheetId}/rows?offset=0&limit=10`);
      const storyId = rows.columns.find((c: { name: string }) => c.name === "story").id;
      for (const row of rows.rows) {
        const cell = row.cells[storyId];
        assertEquals(cell.state, "done", JSON.stringify(cell));
        assert(cell.value && cell.tokens > 0, JSON.stringify(cell));
      }
    },
  );

  await step("5. a cell is approved, then edited by hand, from its details", async () => {
    const cell = page.locator('.sheet-row[data-row="0"] .sheet-td[data-state="done"]');
    await cell.click();
    const details = page.getByRole("complementary", { name: "Cell details" });
    await details.getByText("story · row 1").waitFor();
    await details.getByRole("button", { name: "Approve" }).click();
    await page.locator('.sheet-row[data-row="0"] .sheet-td[data-state="approved"]').waitFor();
    await details.getByRole("button", { name: "Remove approval" }).waitFor();
    // Back in the grid, the keyboard moves to the next row, as in a spreadsheet.
    await page.locator('.sheet-row[data-row="0"] .sheet-td[data-state="approved"]').click();
    await page.keyboard.press("ArrowDown");
    await details.getByText("story · row 2").waitFor();
    await details.getByLabel("Cell text").fill(EDITED);
    await details.getByRole("button", { name: "Save edit" }).click();
    await page.locator('.sheet-row[data-row="1"] .sheet-td[data-state="edited"]').waitFor();
    const rows = await api.json("GET", `/api/sheets/${sheetId}/rows?offset=0&limit=3`);
    const storyId = rows.columns.find((c: { name: string }) => c.name === "story").id;
    assertEquals(rows.rows[0].cells[storyId].state, "approved");
    assertEquals(rows.rows[1].cells[storyId].state, "edited");
    assertEquals(rows.rows[1].cells[storyId].value, EDITED);
    // Approved and edited cells are the examples of the next cell's prompt.
    await page.locator('.sheet-row[data-row="2"] .sheet-td[data-state="done"]').click();
    await details.getByText("story · row 3").waitFor();
    await details.getByRole("button", { name: "Show prompt" }).click();
    const shared = (await details.locator(".prompt-shared").textContent()) ?? "";
    assert(shared.includes(`## Example\ntext: A big dog.\nOutput: ${EDITED}`), shared);
    assertEquals(
      await details.locator(".prompt-row").textContent(),
      "## Row\ntext: A hot sun.\nOutput:",
    );
  });

  await step("6. the sheet is exported as JSONL through the save dialog", async () => {
    const dialog = page.getByRole("dialog", { name: /^Export/ });
    // Esc closes the dialog.
    await page.getByRole("button", { name: "Export" }).click();
    await dialog.getByLabel("File name").press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Export" }).click();
    // The folder added in step 2 is there already.
    await dialog.getByRole("button", { name: "tickets.csv" }).waitFor();
    await dialog.getByLabel("File name").fill("out.jsonl");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    await api.until(async () => {
      try {
        return (await Deno.stat(join(workspace, "out.jsonl"))).size > 0;
      } catch {
        return false;
      }
    }, "the export");
    const lines = (await Deno.readTextFile(join(workspace, "out.jsonl"))).trim().split("\n");
    assertEquals(lines.length, 3);
    const second = JSON.parse(lines[1]);
    assertEquals([second.text, second.story], ["A big dog.", EDITED]);
  });

  await step("7. a long job pauses, resumes and cancels from its progress line", async () => {
    const big = (await api.json("GET", "/api/sheets")).sheets
      .find((s: { name: string }) => s.name === "big");
    await api.json("POST", `/api/sheets/${big.id}/columns`, {
      name: "tale",
      kind: "ai",
      ai: { prompt: "Once upon a time", max_tokens: MAX_TOKENS },
    });
    await sheetList.getByRole("button", { name: /^big/ }).click();
    await page.locator(".sheet-th-name", { hasText: "tale" }).click();
    await page.getByText(`tale: all ${BIG_ROWS.toLocaleString("en-US")} rows`).waitFor();
    await page.getByRole("button", { name: "Generate", exact: true }).click();
    const job = page.locator(".job-progress", { hasText: "tale" });
    const state = job.locator(".job-state");
    await state.getByText("running").waitFor();
    await job.getByRole("button", { name: "Pause" }).click();
    await state.getByText("paused").waitFor();
    await job.locator(".job-eta").waitFor();
    await job.getByRole("button", { name: "Resume" }).click();
    await state.getByText("running").waitFor();
    await job.getByRole("button", { name: "Cancel" }).click();
    await state.getByText("cancelled").waitFor();
    const column = (await api.json("GET", `/api/sheets/${big.id}`)).columns
      .find((c: { name: string }) => c.name === "tale");
    const { progress } = await api.json("GET", `/api/sheets/columns/${column.id}/progress`);
    assertEquals(progress.state, "cancelled");
    assert(progress.rows_done < BIG_ROWS, JSON.stringify(progress));
  });

  await step(
    "8. a failed cell shows its error, and retry reruns only the failed cells",
    async () => {
      // A row far longer than a slot's context fails; the short one is generated.
      await Deno.writeTextFile(
        join(workspace, "long.csv"),
        `text\nA cat.\n${"the dog ran and ran ".repeat(400)}\n`,
      );
      const ws = (await api.json("GET", "/api/workspaces")).workspaces[0];
      const long = await api.json("POST", "/api/sheets/import", {
        workspace: ws.id,
        path: "long.csv",
      });
      const column = await api.json("POST", `/api/sheets/${long.id}/columns`, {
        name: "gist",
        kind: "ai",
        ai: { prompt: "{{text}}", max_tokens: MAX_TOKENS },
      });
      await page.reload();
      await page.getByRole("tab", { name: "Sheets" }).click();
      await sheetList.getByRole("button", { name: /^long\.csv/ }).click();
      await page.locator(".sheet-th-name", { hasText: "gist" }).click();
      await page.getByRole("button", { name: "Generate", exact: true }).click();
      const job = page.locator(".job-progress", { hasText: "gist" });
      await job.locator(".job-state", { hasText: "done" }).waitFor();
      await job.locator(".job-failed", { hasText: "1 failed" }).waitFor();
      await page.locator('.sheet-row[data-row="1"] .sheet-td[data-state="error"]').click();
      const details = page.getByRole("complementary", { name: "Cell details" });
      const message = (await details.getByRole("alert").textContent()) ?? "";
      assert(message.length > 0, "no error shown");
      const progressOf = async () =>
        (await api.json("GET", `/api/sheets/columns/${column.id}/progress`)).progress;
      const cellsOf = async () =>
        (await api.json("GET", `/api/sheets/${long.id}/rows?offset=0&limit=2`)).rows
          .map((r: { cells: Record<string, unknown> }) => r.cells[column.id]);
      const before = await progressOf();
      const [doneBefore] = await cellsOf();
      await job.getByRole("button", { name: "Retry failed cells" }).click();
      await api.until(async () => {
        const p = await progressOf();
        return p.job_id !== before.job_id && p.state === "done";
      }, "the retry job");
      assertEquals((await progressOf()).rows_failed, 1);
      const [done, failed] = await cellsOf();
      // Only the failed cell ran again: the done one is the very same (value, time).
      assertEquals(done, doneBefore);
      assertEquals(failed.state, "error");
    },
  );

  await step(
    "9. an empty sheet: create, add a data column, type a value, rename, delete",
    async () => {
      await page.getByRole("button", { name: "New sheet" }).click();
      const dialog = page.getByRole("dialog", { name: "New sheet" });
      await dialog.getByLabel("Sheet name").fill("scratch");
      await dialog.getByLabel("Empty rows").fill("5");
      await dialog.getByRole("button", { name: "Create" }).click();
      await page.locator('.sheet-row[data-row="4"]').waitFor();
      await page.getByRole("button", { name: "Column", exact: true }).click();
      const column = page.getByRole("dialog", { name: "Add column" });
      await column.getByRole("radio", { name: "Data column" }).click();
      await column.getByLabel("Column name").fill("topic");
      await column.getByRole("button", { name: "Add column" }).click();
      await page.locator('.sheet-row[data-row="2"] .sheet-td').first().click();
      const details = page.getByRole("complementary", { name: "Cell details" });
      await details.getByLabel("Cell text").fill("Dragons");
      await details.getByRole("button", { name: "Save edit" }).click();
      await page.locator('.sheet-row[data-row="2"] .sheet-td', { hasText: "Dragons" }).waitFor();
      const scratch = (await api.json("GET", "/api/sheets")).sheets
        .find((s: { name: string }) => s.name === "scratch");
      const rows = await api.json("GET", `/api/sheets/${scratch.id}/rows?offset=2&limit=1`);
      assertEquals(Object.values(rows.rows[0].data), ["Dragons"]);

      await sheetList.getByRole("button", { name: "Rename “scratch”" }).click();
      const rename = sheetList.getByLabel("Sheet name");
      await rename.fill("dragons");
      await rename.press("Enter");
      await sheetList.getByRole("button", { name: /^dragons/ }).waitFor();
      await page.locator(".sheet-title", { hasText: "dragons" }).waitFor();
      await sheetList.getByRole("button", { name: "Delete “dragons”" }).click();
      await page.getByRole("button", { name: "Delete", exact: true }).click();
      await sheetList.getByRole("button", { name: /^dragons/ }).waitFor({ state: "detached" });
      const gone = await api.request("GET", `/api/sheets/${scratch.id}`);
      assertEquals(gone.status, 404);
      await gone.body?.cancel();
    },
  );

  assertEquals(e2e.errors, []);
});
