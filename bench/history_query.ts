/**
 * How long the Generation history's queries take on a large database: a temp file with
 * `--chats` chats of `--turns` replies each (about 600 characters apiece, as a short story
 * reply is) and `--jobs` sheet jobs, then the first page with no filter, with a model filter,
 * with a text filter that matches a few replies, and a late page, each the median of
 * `--rounds` runs (the page query and its count together, as `GET /api/history` runs them).
 *
 * ```
 * deno run -A bench/history_query.ts [--chats 1000] [--turns 20] [--jobs 200] [--rounds 9]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { type HistoryFilter, openDatabase } from "../storage/mod.ts";

const { values } = parseArgs({
  options: {
    chats: { type: "string", default: "1000" },
    turns: { type: "string", default: "20" },
    jobs: { type: "string", default: "200" },
    rounds: { type: "string", default: "9" },
  },
});
const dir = await Deno.makeTempDir({ prefix: "hearth-history-bench-" });
try {
  let now = 1_700_000_000_000;
  using storage = openDatabase(join(dir, "hearth.db"), { now: () => now++ });
  const text = "Once upon a time there was a little dragon who liked to sing. ".repeat(10);
  const fill = performance.now();
  storage.transaction(() => {
    for (let c = 0; c < Number(values.chats); c++) {
      const chat = storage.chats.create({ title: `Chat ${c}` });
      let parent: string | null = null;
      for (let t = 0; t < Number(values.turns); t++) {
        const user = storage.messages.add(chat.id, {
          parent_id: parent,
          role: "user",
          content: "Go on",
        });
        const reply = storage.messages.add(chat.id, {
          parent_id: user.id,
          role: "assistant",
          content: c % 500 === 0 && t === 0 ? `${text} needle` : text,
          model: `/models/m${c % 4}.gguf`,
          sampling: { temperature: 0.8, top_k: 40, max_tokens: 256 },
          metrics: {
            prompt_tokens: 100,
            cached_tokens: 0,
            completion_tokens: 120,
            ttft_ms: 80,
            prompt_tok_per_sec: 900,
            gen_tok_per_sec: 40,
            duration_ms: 3080,
            n_ctx: 4096,
          },
        });
        parent = reply.id;
      }
    }
    const sheet = storage.sheets.create("Reviews");
    const spec = {
      prompt: "Summarize",
      model: null,
      sampling: {},
      max_tokens: 32,
      system_prompt: "",
      json_schema: null,
    };
    const column = storage.sheets.addColumn(sheet.id, { name: "summary", kind: "ai", ai: spec });
    for (let j = 0; j < Number(values.jobs); j++) {
      storage.sheets.createJob(sheet.id, column.id, j * 10, j * 10 + 10);
      for (let r = j * 10; r < j * 10 + 10; r++) {
        storage.sheets.putCell(column.id, r, {
          state: "done",
          value: "ok",
          tokens: 20,
          ms: 400,
          model: "/models/m0.gguf",
        });
      }
    }
  });
  const replies = Number(values.chats) * Number(values.turns);
  console.log(
    `filled ${replies} replies and ${values.jobs} sheet jobs in ${
      ((performance.now() - fill) / 1000).toFixed(1)
    } s`,
  );
  const cases: [string, HistoryFilter][] = [
    ["first page, no filter", {}],
    ["first page, model filter", { model: "/models/m1.gguf" }],
    ["first page, text filter (few hits)", { text: "needle" }],
    ["first page, sheet jobs only", { kind: "sheet_job" }],
    ["page 100 (offset 5000)", { offset: 5000 }],
  ];
  console.log("| query | median ms | total |\n| --- | ---: | ---: |");
  for (const [name, filter] of cases) {
    const times: number[] = [];
    let total = 0;
    for (let r = 0; r < Number(values.rounds); r++) {
      const start = performance.now();
      total = storage.history.list({ limit: 50, ...filter }).total;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${times[times.length >> 1].toFixed(1)} | ${total} |`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
