/**
 * Sheets over the UI API on real HTTP (127.0.0.1), the app's own model host and the
 * bundled stories260K: import, columns, generate with `sheets` progress events,
 * approve and edit, the rendered prompt, export, and domain errors mapped to statuses.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { withApp } from "./_app_api.ts";

Deno.test("the sheets API imports, generates, approves, renders prompts and exports", async () => {
  await withApp(async (_app, api) => {
    const dir = await Deno.makeTempDir();
    try {
      const input = join(dir, "in.csv");
      await Deno.writeTextFile(input, "id,text\n1,A red ball.\n2,A big dog.\n3,A hot sun.\n");
      const ws = await api.json("POST", "/api/workspaces", { path: dir });
      const sheet = await api.json("POST", "/api/sheets/import", {
        workspace: ws.id,
        path: "in.csv",
        name: "toys",
      });
      assertEquals([sheet.name, sheet.row_count, sheet.source_format], ["toys", 3, "csv"]);
      assertEquals(sheet.parallel, 8);
      const patched = await api.json("PATCH", `/api/sheets/${sheet.id}`, { parallel: 2 });
      assertEquals([patched.name, patched.parallel], ["toys", 2]);
      const zero = await api.request("PATCH", `/api/sheets/${sheet.id}`, { parallel: 0 });
      assertEquals(zero.status, 400);
      await zero.body?.cancel();
      const column = await api.json("POST", `/api/sheets/${sheet.id}/columns`, {
        name: "story",
        kind: "ai",
        ai: { prompt: "Tell of {{text}}", max_tokens: 4 },
      });
      const progress = api.nextEvent("sheets", (p) => p.job_id && p.state === "done");
      const job = await api.json("POST", `/api/sheets/columns/${column.id}/generate`, {});
      const done = await progress;
      assertEquals([done.job_id, done.rows_done, done.rows_total], [job.id, 3, 3]);

      const page = await api.json("GET", `/api/sheets/${sheet.id}/rows?offset=1&limit=5`);
      assertEquals(page.rows.map((r: { idx: number }) => r.idx), [1, 2]);
      assertEquals(page.rows[0].cells[column.id].state, "done");
      const approved = await api.json("POST", `/api/sheets/columns/${column.id}/cells/0/approve`);
      assertEquals(approved.state, "approved");
      const prompt = await api.json("GET", `/api/sheets/columns/${column.id}/cells/2/prompt`);
      assert(prompt.shared.includes(`## Example\ntext: A red ball.\nOutput: ${approved.value}`));

      const bad = await api.request("POST", `/api/sheets/${sheet.id}/columns`, {
        name: "x",
        kind: "ai",
        ai: { prompt: "{{missing}}" },
      });
      assertEquals(bad.status, 400);
      assert((await bad.json()).error.message.includes('no column "missing"'));
      const missing = await api.request("GET", "/api/sheets/nope");
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
      const badFile = join(dir, "bad.csv");
      await Deno.writeTextFile(badFile, 'a,b\n1,"x"y\n');
      const malformed = await api.request("POST", "/api/sheets/import", {
        workspace: ws.id,
        path: "bad.csv",
      });
      assertEquals(malformed.status, 400);
      assert((await malformed.json()).error.message.includes("line 2"));

      // Files outside the workspace folder are refused, both ways.
      for (const path of [input, "../in.csv"]) {
        const outside = await api.request("POST", "/api/sheets/import", { workspace: ws.id, path });
        assertEquals(outside.status, 403, path);
        await outside.body?.cancel();
      }
      const escape = await api.request("POST", `/api/sheets/${sheet.id}/export`, {
        workspace: ws.id,
        path: "../out.csv",
      });
      assertEquals(escape.status, 403);
      await escape.body?.cancel();
      await api.json("POST", `/api/sheets/${sheet.id}/export`, {
        workspace: ws.id,
        path: "out.csv",
      });
      const out = await Deno.readTextFile(join(dir, "out.csv"));
      assert(out.startsWith("id,text,story\n1,A red ball.,"), out);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
