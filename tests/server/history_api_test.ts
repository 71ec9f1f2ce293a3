/**
 * The generation history and bench runs over the UI API on real HTTP, with the app's own
 * model host and stories260K: a real reply and a real sheet job appear with their model,
 * settings and metrics, filter by kind, model and text, page, and bad filters are 400s.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K } from "../models.ts";
import { type Json, withApp } from "./_app_api.ts";

Deno.test("the history API lists replies and sheet jobs, filtered and paged", async () => {
  await withApp(async (_app, api) => {
    const chat = await api.json("POST", "/api/chats", {
      title: "Dragon tales",
      sampling: { temperature: 0, max_tokens: 6 },
    });
    await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    await api.waitFor(async () => {
      const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
      return messages.every((m: Json) => m.state !== "streaming");
    });
    const dir = await Deno.makeTempDir();
    const input = join(dir, "in.csv");
    await Deno.writeTextFile(input, "id,text\n1,A red ball.\n2,A big dog.\n");
    const ws = await api.json("POST", "/api/workspaces", { path: dir });
    const sheet = await api.json("POST", "/api/sheets/import", {
      workspace: ws.id,
      path: "in.csv",
      name: "toys",
    });
    await Deno.remove(dir, { recursive: true });
    const column = await api.json("POST", `/api/sheets/${sheet.id}/columns`, {
      name: "story",
      kind: "ai",
      ai: { prompt: "Tell of {{text}}", max_tokens: 3 },
    });
    const done = api.nextEvent("sheets", (p) => p.job_id && p.state === "done");
    await api.json("POST", `/api/sheets/columns/${column.id}/generate`, {});
    await done;

    const all = await api.json("GET", "/api/history");
    assertEquals(all.total, 2);
    assertEquals([all.limit, all.offset], [50, 0]);
    const [job, reply] = all.entries;
    assertEquals([job.kind, reply.kind], ["sheet_job", "reply"]);
    // The bundled model (models/stories260K.gguf).
    assert(reply.model.endsWith("stories260K.gguf"), reply.model);
    assertEquals(reply.title, "Dragon tales");
    assertEquals([reply.sampling.temperature, reply.sampling.max_tokens], [0, 6]);
    assert(reply.n_ctx > 0, JSON.stringify(reply));
    for (const key of ["prompt_tokens", "completion_tokens", "ttft_ms", "gen_tok_per_sec"]) {
      assert(reply.metrics[key] > 0, `${key}: ${JSON.stringify(reply.metrics)}`);
    }
    assert(reply.metrics.duration_ms >= reply.metrics.ttft_ms, JSON.stringify(reply.metrics));
    assertEquals([job.title, job.rows, job.state], ["toys · story", 2, "done"]);
    assertEquals(job.model, reply.model);
    assert(job.metrics.completion_tokens > 0, JSON.stringify(job.metrics));

    const only = (query: string) => api.json("GET", `/api/history?${query}`);
    assertEquals((await only("kind=reply")).entries.map((e: Json) => e.id), [reply.id]);
    assertEquals((await only("text=dragon")).entries.map((e: Json) => e.id), [reply.id]);
    assertEquals((await only(`model=${encodeURIComponent(reply.model)}`)).total, 2);
    assertEquals((await only("model=other.gguf")).total, 0);
    // The job started after the reply had finished.
    assertEquals((await only(`since=${reply.created_at + 1}`)).entries.map((e: Json) => e.id), [
      job.id,
    ]);
    const second = await only("limit=1&offset=1");
    assertEquals([second.total, second.entries[0].id], [2, reply.id]);
    assertEquals(await api.json("GET", "/api/history/models"), { models: [reply.model] });

    for (const bad of ["kind=nope", "limit=0", "since=yesterday", "since=5&until=4"]) {
      const response = await api.request("GET", `/api/history?${bad}`);
      assertEquals(response.status, 400, bad);
      assertEquals((await response.json()).error.type, "invalid_request");
    }
  });
});

Deno.test("the bench runs API lists, reads and deletes saved runs", async () => {
  await withApp(async (app, api) => {
    const saved = app.app.storage.benchRuns.add({
      model_filename: STORIES_260K,
      model_type: "llama ?B all F32",
      model_size: 1,
      model_n_params: 1,
      build_commit: "abc",
      backends: "CPU",
      cpu_info: "cpu",
      gpu_info: "",
      params: {
        n_prompt: [8],
        n_gen: [4],
        repetitions: 1,
        n_threads: 1,
        n_batch: 2048,
        n_ubatch: 512,
        n_gpu_layers: 99,
        flash_attn: -1,
        type_k: "f16",
        type_v: "f16",
      },
      results: [{
        test: "tg4",
        n_prompt: 0,
        n_gen: 4,
        n_depth: 0,
        avg_ts: 500,
        stddev_ts: 0,
        samples_ns: [8e6],
      }],
    });
    assertEquals(await api.json("GET", "/api/bench-runs"), { runs: [saved] });
    assertEquals(await api.json("GET", "/api/bench-runs?model=x.gguf"), { runs: [] });
    assertEquals(await api.json("GET", `/api/bench-runs/${saved.id}`), saved);
    await api.json("DELETE", `/api/bench-runs/${saved.id}`);
    const gone = await api.request("GET", `/api/bench-runs/${saved.id}`);
    assertEquals(gone.status, 404);
    assertEquals((await gone.json()).error.type, "not_found");
  });
});
