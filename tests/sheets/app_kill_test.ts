/**
 * The desktop app's side of "jobs survive kill -9" (the CLI's is in cli_test.ts): a real
 * `main.ts --headless` process, driven over its UI API on 127.0.0.1, generating an AI
 * column with the bundled stories260K, is killed with SIGKILL mid-job; the next start on
 * the same data folder continues the job by itself. Every row ends with exactly one
 * cell, and the cells finished before the kill are never generated again (same value,
 * same updated_at in the real SQLite file).
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";
import { AppProcess } from "../cli/_app_process.ts";

const ROWS = 40;

/** The UI API of the app at `launchUrl`, with its launch secret. */
async function apiOf(app: AppProcess) {
  const url = new URL(await app.serving());
  const secret = url.searchParams.get("secret");
  // deno-lint-ignore no-explicit-any
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(url.origin + path, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    assert(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text === "" ? null : JSON.parse(text);
  };
}

/** Cells of `columnId` as stored: row, state, value and updated_at. */
function storedCells(home: string, columnId: string) {
  const db = new DatabaseSync(join(home, "hearth.db"), { readOnly: true });
  try {
    return db.prepare(
      "SELECT row_idx, state, value, updated_at FROM sheet_cells WHERE column_id = ? ORDER BY row_idx",
    ).all(columnId) as { row_idx: number; state: string; value: string; updated_at: number }[];
  } finally {
    db.close();
  }
}

Deno.test("the app killed with SIGKILL mid-job continues the job at its next start: every row once", async () => {
  const home = await Deno.makeTempDir();
  const apps: AppProcess[] = [];
  try {
    const lines = Array.from(
      { length: ROWS },
      (_, i) => `${i},Once upon a time a fox number ${i}.`,
    );
    await Deno.writeTextFile(join(home, "in.csv"), ["id,text", ...lines].join("\n") + "\n");

    const first = new AppProcess(home);
    apps.push(first);
    let api = await apiOf(first);
    const ws = await api("POST", "/api/workspaces", { path: home });
    const sheet = await api("POST", "/api/sheets/import", { workspace: ws.id, path: "in.csv" });
    await api("PATCH", `/api/sheets/${sheet.id}`, { parallel: 1 }); // slow enough to stop mid-way
    const column = await api("POST", `/api/sheets/${sheet.id}/columns`, {
      name: "next",
      kind: "ai",
      ai: { prompt: "Continue: {{text}}", max_tokens: 24, sampling: { temperature: 0 } },
    });
    const job = await api("POST", `/api/sheets/columns/${column.id}/generate`, {});
    const done = async () => {
      const page = await api("GET", `/api/sheets/${sheet.id}/rows?offset=0&limit=${ROWS}`);
      return page.rows.filter((r: { cells: Record<string, { state: string }> }) =>
        r.cells[column.id]?.state === "done"
      ).length;
    };
    await waitFor("3 cells done", async () => (await done()) >= 3 || undefined);
    first.child.kill("SIGKILL");
    await first.exit();

    const before = storedCells(home, column.id).filter((c) => c.state === "done");
    assert(before.length >= 3 && before.length < ROWS, `${before.length} cells done at the kill`);

    // The next start: nobody asks it to generate; the job it finds "running" goes on.
    const second = new AppProcess(home);
    apps.push(second);
    api = await apiOf(second);
    await waitFor("every row done", async () => (await done()) === ROWS || undefined);
    const progress = await api("GET", `/api/sheets/columns/${column.id}/progress`);
    assertEquals([progress.progress.job_id, progress.progress.state], [job.id, "done"]);
    const stopped = await second.stop();
    assertEquals(stopped.code, 0, stopped.stderr);

    const after = storedCells(home, column.id);
    assertEquals(after.map((c) => c.row_idx), Array.from({ length: ROWS }, (_, i) => i));
    assert(after.every((c) => c.state === "done" && c.value !== null));
    // Finished before the kill: kept as they were, not generated a second time.
    for (const cell of before) assertEquals(after[cell.row_idx], cell);
  } finally {
    for (const app of apps) {
      try {
        app.child.kill("SIGKILL");
      } catch {
        // exited already
      }
      await app.exit().catch(() => {});
    }
    await Deno.remove(home, { recursive: true });
  }
});
