/**
 * A big sheet import end to end: the real app server (SQLite in a temp folder) over real
 * HTTP, driven through headless Chromium. A generated CSV of a million rows (about 40 MB)
 * is imported through the open dialog; the dialog closes at once and the sheet list shows
 * the import with its progress line (rows, percent of the file, rows/s, time left);
 * Cancel ends it, and neither the list, the API nor the database keeps a sheet or a row
 * of it. A small file imported after opens as its sheet.
 *
 * The file only has to outlast the clicks: the import is cancelled within a second or
 * so, whatever the machine's speed, so the test stays quick.
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { stored } from "../sheets/_stored.ts";
import { writeCsv } from "../sheets/_csv.ts";
import { E2e, E2E_TEST, stepper, tempDir } from "./_browser.ts";

/** Rows of the big file: seconds of import on a fast machine, still only 40 MB to write. */
const BIG_ROWS = 1_000_000;

Deno.test({
  name: "e2e: a sheet import shows its progress in the sheet list, and Cancel keeps nothing",
  ...E2E_TEST,
}, async (t) => {
  await using workspaceDir = await tempDir("hearth-e2e-ws-");
  const workspace = workspaceDir.path;
  const size = await writeCsv(join(workspace, "big.csv"), BIG_ROWS);
  await Deno.writeTextFile(join(workspace, "small.csv"), "id,text\n1,A red ball.\n2,A dog.\n");
  await using e2e = await E2e.start({ app: { loadDefaultModel: false, libraryRoots: [] } });
  const { api, dataDir, errors } = e2e;
  const page = await e2e.page({ consoleErrors: false, httpErrors: false });
  // The cancelled import's own request ends 409 `import_cancelled`, as it should; Chromium
  // logs that answer as a console error too.
  let cancelledAnswers = 0;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (cancelledAnswers > 0 && m.text().includes("status of 409")) return;
    errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() === 409 && r.url().endsWith("/api/sheets/import")) cancelledAnswers++;
    else if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  const step = stepper(t);
  const sheetList = page.getByRole("list", { name: "Sheets" });
  const importing = sheetList.getByRole("listitem", { name: "Importing big.csv" });
  const pick = async (file: string, addFolder: boolean) => {
    await page.getByRole("button", { name: "Import…" }).click();
    const dialog = page.getByRole("dialog", { name: "Import a table" });
    if (addFolder) {
      // A browser has no native folder dialog: the folder is added by its path.
      await dialog.getByLabel("Folder path").fill(workspace);
      await dialog.getByRole("button", { name: "Add folder" }).click();
    }
    await dialog.getByRole("button", { name: file }).click();
    await dialog.getByRole("button", { name: "Open" }).click();
    // The dialog closes once the import shows in the list, long before it ends.
    await dialog.waitFor({ state: "detached" });
  };

  let sheetId = "";
  await step("1. the importing sheet shows rows, percent of the file and rows/s", async () => {
    await page.goto(e2e.app.launchUrl);
    await page.getByRole("tab", { name: "Sheets" }).click();
    await pick("big.csv", true);
    const line = importing.getByRole("status");
    // Rows stored (not just the file opened): the progress line moved past its start.
    await line.filter({ hasText: /^[1-9][\d,]* rows · \d+% · [\d,]+ rows\/s · ETA / })
      .waitFor();
    const bar = importing.getByRole("progressbar", { name: "Import of big.csv" });
    assert(Number(await bar.getAttribute("aria-valuenow")) < 100);
    const [running] = (await api.json("GET", "/api/sheets/imports")).imports;
    assertEquals([running.name, running.state, running.bytes_total], [
      "big.csv",
      "importing",
      size,
    ]);
    assert(running.rows_done > 0 && running.rows_done < BIG_ROWS, JSON.stringify(running));
    sheetId = running.sheet_id;
    // Not listed as a sheet until it is whole.
    assertEquals((await api.json("GET", "/api/sheets")).sheets, []);
  });

  await step("2. Cancel ends the import and keeps no sheet and no row", async () => {
    await importing.getByRole("button", { name: "Cancel import of big.csv" }).click();
    await importing.waitFor({ state: "detached" });
    await page.getByText('Import of "big.csv" cancelled: nothing was kept').waitFor();
    assertEquals((await api.json("GET", "/api/sheets/imports")).imports, []);
    assertEquals((await api.json("GET", "/api/sheets")).sheets, []);
    const gone = await api.request("GET", `/api/sheets/${sheetId}`);
    assertEquals(gone.status, 404);
    await gone.body?.cancel();
    assertEquals(stored(dataDir), { sheets: 0, rows: 0 });
    assertEquals(await sheetList.getByText("No sheets yet").count(), 1);
  });

  await step("3. a small import ends and opens as its sheet", async () => {
    await pick("small.csv", false);
    await page.locator(".sheet-grid").getByText("A red ball.").waitFor();
    await sheetList.getByRole("button", { name: /^small\.csv/ }).waitFor();
    assertEquals(await sheetList.getByRole("listitem", { name: /^Importing/ }).count(), 0);
    assertEquals(stored(dataDir), { sheets: 1, rows: 2 });
  });

  assertEquals([errors, cancelledAnswers], [[], 1]);
});
