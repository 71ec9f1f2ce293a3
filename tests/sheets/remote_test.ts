/**
 * AI columns on a remote provider, through the app core (its provider registry and its
 * sheet service) against the fake OpenAI-compatible provider on 127.0.0.1: rows in
 * flight stay under the provider's concurrency setting, failed requests are retried, and
 * a JSON-schema column sends its schema as `response_format`.
 */
import { assert, assertEquals } from "../assert.ts";
import { offlineApp } from "../app/_offline_app.ts";
import { startFakeProvider } from "../fakes/fake_provider.ts";

const rows = (n: number) =>
  "id,text\n" + Array.from({ length: n }, (_, i) => `${i},Ticket ${i} about a late parcel`)
    .join("\n") +
  "\n";

Deno.test("a remote AI column runs under the provider's concurrency and retries failures", async () => {
  const provider = startFakeProvider({ latencyMs: 30 });
  const { app, dataDir, close } = await offlineApp();
  try {
    app.providers.save({ name: "fake", base_url: provider.baseUrl, concurrency: 2 });
    const csv = `${dataDir}/t.csv`;
    await Deno.writeTextFile(csv, rows(12));
    const sheet = await app.sheets.import(csv);
    const column = app.sheets.addColumn(sheet.id, {
      name: "reply",
      kind: "ai",
      ai: { prompt: "Answer: {{text}}", model: "fake:fake-small", max_tokens: 16 },
    });
    // A 500 the backend retries, and a reply cut off mid-stream the cell retries.
    provider.faults.push({ kind: "status", status: 500 }, { kind: "drop", pieces: 1 });
    const job = await app.sheets.jobs.wait(app.sheets.generate(column.id).id);
    assertEquals(job.state, "done");
    const cells = app.storage.sheets.cells(column.id, 0, 12);
    assertEquals(
      cells.map((c) => [c.state, c.value]),
      cells.map(() => ["done", "Hello from fake-small."]),
    );
    // The job asks for 8 rows at once by default; the provider allows 2.
    assertEquals(provider.maxInFlight, 2);
    assertEquals(provider.requests.length, 14);
  } finally {
    await close();
    await provider.close();
  }
});

Deno.test("a JSON-schema AI column on a remote provider sends response_format json_schema", async () => {
  const provider = startFakeProvider();
  const { app, dataDir, close } = await offlineApp();
  try {
    app.providers.save({ name: "fake", base_url: provider.baseUrl });
    const csv = `${dataDir}/t.csv`;
    await Deno.writeTextFile(csv, rows(3));
    const sheet = await app.sheets.import(csv);
    const schema = {
      type: "object",
      properties: { summary: { type: "string" }, urgent: { type: "boolean" } },
      required: ["summary", "urgent"],
    };
    const column = app.sheets.addColumn(sheet.id, {
      name: "triage",
      kind: "ai",
      ai: { prompt: "Triage: {{text}}", model: "fake:fake-large", json_schema: schema },
    });
    const job = await app.sheets.jobs.wait(app.sheets.generate(column.id).id);
    assertEquals(job.state, "done", job.error ?? "");
    for (const cell of app.storage.sheets.cells(column.id, 0, 3)) {
      assertEquals(cell.state, "done", cell.error ?? "");
      assertEquals(JSON.parse(cell.value!), { summary: "Hello from fake-large.", urgent: true });
    }
    assertEquals(provider.requests.length, 3);
    for (const request of provider.requests) {
      const format = request.body.response_format as Record<string, Record<string, unknown>>;
      assertEquals(format.type, "json_schema");
      assertEquals(format.json_schema.schema, schema);
      assert(format.json_schema.strict);
    }
  } finally {
    await close();
    await provider.close();
  }
});
