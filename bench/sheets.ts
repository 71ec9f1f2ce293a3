/**
 * `deno run -A bench/sheets.ts [-m MODEL] [--rows N] [-n TOKENS] [--parallel 1,16] [-t N]
 * [-fa on|off|auto] [--server LLAMA_SERVER] [--server-np 5] [--anchor LLAMA_BATCHED_BENCH]
 * [--rounds R] [--shared-tokens N]`:
 * rows/s of one AI column over a CSV, the sheet pipeline end to end in this process
 * (import into SQLite, a job on a serving context with N slots, every cell saved in its
 * own transaction), once per `--parallel` value, on the same rows and model in the same
 * run. With `--server`, the same rows' chat messages also go the AI Sheets way: to a
 * llama-server this bench starts (flags printed verbatim), `--server-np` requests at a
 * time. With `--anchor`, llama-batched-bench runs the rows' own shape (prompt tokens
 * decoded and tokens generated per row) at the same slot counts in each round: the
 * rows/s each slot count could reach with nothing around the decodes (bench/_sheets_anchor.ts),
 * and how much of it the job gets. `--rounds` repeats the whole sequence (interleaved), ratios taken per round.
 * With `--shared-tokens N`, the column has a system prompt and instructions of about N
 * tokens that every row shares (the prefix reuse measurement). Reports prompt tokens
 * decoded per row against the row's own prompt tokens (those after the shared part).
 *
 * @module
 */
import { join } from "node:path";
import { formatOptions, optionRow, type OptionSpec, readOptions } from "../config/args.ts";
import { loadModel, type Model } from "../engine/model.ts";
import { createServingContext } from "../engine/serving.ts";
import { type ColumnProgress, servingGenerator, SheetService } from "../app/sheets/mod.ts";
import { buildCellPrompt } from "../app/sheets/prompt.ts";
import { openDatabase } from "../storage/mod.ts";
import { STORIES_260K } from "../tests/models.ts";
import { runRows, type ServerRun, startLlamaServer } from "./_sheets_server.ts";
import { anchorCommand, type AnchorRow, type AnchorShape, runAnchor } from "./_sheets_anchor.ts";

const atLeast = (min: number) => ({ ok: (v: number) => v >= min, expect: `an integer >= ${min}` });
/** A row of this bench's table (config/args.ts `optionRow`). */
const row = optionRow(["bench"]);

const OPTIONS: readonly OptionSpec[] = Object.freeze([
  row("model", "-m, --model", "string FILE", STORIES_260K, "GGUF model"),
  row("rows", "--rows", "int N", 1000, "rows of the CSV", { check: atLeast(1) }),
  row("tokens", "-n, --n-predict", "int N", 32, "most tokens per cell (greedy)", {
    check: atLeast(1),
  }),
  row("parallel", "--parallel", "string LIST", "1,16", "comma-separated slot counts to compare"),
  row("threads", "-t, --threads", "int N", undefined, "CPU threads", { check: atLeast(1) }),
  row("fa", "-fa, --flash-attn", "string on|off|auto", "auto", "flash attention"),
  row("server", "--server", "string FILE", "", "llama-server binary: also run the AI Sheets way"),
  row("anchor", "--anchor", "string FILE", "", "llama-batched-bench binary: the batching ceiling"),
  row("serverNp", "--server-np", "int N", 5, "requests at once to llama-server (its -np)", {
    check: atLeast(1),
  }),
  row("rounds", "--rounds", "int N", 1, "times to run the whole sequence", { check: atLeast(1) }),
  row("shared", "--shared-tokens", "int N", 0, "tokens of shared system prompt + instructions", {
    check: atLeast(0),
  }),
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

const TEMPLATE = "Summarize in one sentence: {{text}}";
/** Sentences a shared system prompt is made of, as a real instruction block would read. */
const SYSTEM_SENTENCES = [
  "You are a careful assistant that writes short summaries of children's stories.",
  "Keep the names of the characters and say what happened to them.",
  "Write one sentence, in plain words, without lists or headings.",
  "If the story is sad, say so kindly; if it is happy, say so too.",
  "Never invent places or people that the story does not mention.",
];

interface Run {
  label: string;
  seconds: number;
  rows: number;
  tokens: number;
  promptDecoded: number;
  promptTotal: number;
}

interface Settings {
  model: Model;
  tokens: number;
  threads: number | undefined;
  flashAttn: boolean | "auto";
  nCtxPerSlot: number;
  systemPrompt: string;
}

async function runSheet(csv: string, dir: string, s: Settings, parallel: number): Promise<Run> {
  using serving = await createServingContext(s.model, {
    nParallel: parallel,
    nCtxPerSlot: s.nCtxPerSlot,
    nThreads: s.threads,
    flashAttn: s.flashAttn,
    queueLimit: parallel,
  });
  const path = join(dir, `p${parallel}-${crypto.randomUUID()}.db`);
  const storage = openDatabase(path);
  let last: ColumnProgress | undefined;
  const service = new SheetService(storage, {
    generatorFor: () => Promise.resolve(servingGenerator(serving, "model")),
    parallel: () => parallel,
    onProgress: (p) => last = p,
  });
  try {
    const sheet = await service.import(csv);
    const column = service.addColumn(sheet.id, {
      name: "summary",
      kind: "ai",
      // Greedy: every run generates the same cells (a cell may stop early at EOS).
      ai: {
        prompt: TEMPLATE,
        system_prompt: s.systemPrompt,
        max_tokens: s.tokens,
        sampling: { temperature: 0 },
      },
    });
    const started = performance.now();
    const job = service.generate(column.id);
    const done = await service.jobs.wait(job.id);
    const seconds = (performance.now() - started) / 1000;
    if (done.state !== "done") throw new Error(`job ended ${done.state}: ${done.error}`);
    const cells = storage.sheets.cells(column.id, 0, sheet.row_count);
    const failed = cells.filter((c) => c.state !== "done");
    if (failed.length > 0) throw new Error(`${failed.length} cells failed: ${failed[0].error}`);
    return {
      label: `Hearth --parallel ${parallel}`,
      seconds,
      rows: cells.length,
      tokens: cells.reduce((sum, c) => sum + (c.tokens ?? 0), 0),
      promptDecoded: last?.prompt_tokens_decoded ?? 0,
      promptTotal: last?.prompt_tokens_total ?? 0,
    };
  } finally {
    await service.close();
    storage.close();
    await Deno.remove(path).catch(() => {});
  }
}

/** The rows' texts: a short story line each, numbered so no two prompts are the same. */
function texts(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `Once upon a time, a little bird number ${i} found a shiny stone by the river.`,
  );
}

/** A system prompt of about `tokens` tokens (with the instructions), from whole sentences. */
async function sharedSystemPrompt(model: Model, tokens: number): Promise<string> {
  if (tokens === 0) return "";
  let text = "";
  for (let i = 0; (await sharedTokens(model, text)) < tokens; i++) {
    text += (text ? " " : "") + SYSTEM_SENTENCES[i % SYSTEM_SENTENCES.length];
  }
  return text;
}

/** Prompt tokens before the row's own part (system prompt, instructions), and in all. */
async function promptSplit(model: Model, system: string, text: string) {
  const cell = buildCellPrompt(TEMPLATE, system, [{ name: "text", value: text }], []);
  const rendered = await model.applyChatTemplate(cell.messages);
  const count = async (t: string) => (await model.tokenize(t, { parseSpecial: true })).length;
  const shared = await count(rendered.slice(0, rendered.lastIndexOf(cell.row)));
  return { shared, total: await count(rendered), messages: cell.messages };
}

async function sharedTokens(model: Model, system: string): Promise<number> {
  return (await promptSplit(model, system, "x")).shared;
}

function table(runs: Run[], ownPerRow: number): string {
  const base = runs[0].rows / runs[0].seconds;
  const lines = [
    "| run | rows | s | rows/s | tok/s | vs first | prompt tokens decoded / row | row's own prompt tokens |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of runs) {
    const rate = r.rows / r.seconds;
    lines.push(
      `| ${r.label} | ${r.rows} | ${r.seconds.toFixed(1)} | ${rate.toFixed(1)} | ` +
        `${(r.tokens / r.seconds).toFixed(0)} | ${(rate / base).toFixed(2)}x | ` +
        `${(r.promptDecoded / r.rows).toFixed(1)} | ${ownPerRow.toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

/** Hearth's rows/s at each slot count against the anchor's ceiling at the same count. */
function anchorTable(runs: Run[], anchor: AnchorRow[]): string {
  const lines = [
    "| slots | anchor S t/s | anchor rows/s | Hearth rows/s | Hearth / anchor | anchor vs first | Hearth vs first |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const rate = (r: Run) => r.rows / r.seconds;
  anchor.forEach((a, i) => {
    const run = runs[i];
    lines.push(
      `| ${a.parallel} | ${a.speed.toFixed(0)} | ${a.rowsPerS.toFixed(1)} | ` +
        `${rate(run).toFixed(1)} | ${(rate(run) / a.rowsPerS).toFixed(2)}x | ` +
        `${(a.rowsPerS / anchor[0].rowsPerS).toFixed(2)}x | ` +
        `${(rate(run) / rate(runs[0])).toFixed(2)}x |`,
    );
  });
  const top = anchor.at(-1)!;
  for (const run of runs.slice(anchor.length)) {
    lines.push(
      `\n${run.label}: ${rate(run).toFixed(1)} rows/s, ` +
        `${(rate(run) / top.rowsPerS).toFixed(2)}x of the anchor at ${top.parallel} slots`,
    );
  }
  return lines.join("\n");
}

/** Runs the bench; prints Markdown tables. */
export async function sheetsBench(args: string[]): Promise<number> {
  const { values, help } = readOptions(OPTIONS, args, { helpHint: "bench/sheets.ts --help" });
  if (help) {
    console.log(`usage: deno run -A bench/sheets.ts [options]\n${formatOptions(OPTIONS)}`);
    return 0;
  }
  const parallels = String(values.parallel).split(",").map(Number);
  if (parallels.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new RangeError(`--parallel must list integers >= 1, got "${values.parallel}"`);
  }
  const fa = String(values.fa);
  if (!["on", "off", "auto"].includes(fa)) throw new RangeError(`-fa must be on, off or auto`);
  const dir = await Deno.makeTempDir({ prefix: "hearth-sheets-bench-" });
  try {
    const rows = texts(values.rows as number);
    const csv = join(dir, "rows.csv");
    await Deno.writeTextFile(
      csv,
      ["id,text", ...rows.map((t, i) => `${i},"${t}"`)].join("\n") + "\n",
    );
    using model = await loadModel(values.model as string);
    const systemPrompt = await sharedSystemPrompt(model, values.shared as number);
    const splits = await Promise.all(rows.map((t) => promptSplit(model, systemPrompt, t)));
    const ownPerRow = splits.reduce((sum, s) => sum + s.total - s.shared, 0) / rows.length;
    const longest = Math.max(...splits.map((s) => s.total)) + (values.tokens as number);
    const settings: Settings = {
      model,
      tokens: values.tokens as number,
      threads: values.threads as number | undefined,
      flashAttn: fa === "auto" ? "auto" : fa === "on",
      // Each slot holds its longest prompt and reply, in steps of 256 (llama.cpp pads n_ctx).
      nCtxPerSlot: Math.ceil(longest / 256) * 256,
      systemPrompt,
    };
    const server = values.server
      ? await startLlamaServer(values.server as string, [
        "-m",
        values.model as string,
        "-np",
        String(values.serverNp),
        "-c",
        String(settings.nCtxPerSlot * (values.serverNp as number)),
        // One KV stream per slot, as Hearth's serving context has (not llama-server's auto).
        "-no-kvu",
        "-fa",
        fa,
        ...(settings.threads ? ["-t", String(settings.threads)] : []),
      ])
      : undefined;
    try {
      console.log(
        `shared prompt tokens: ${splits[0].shared}; row's own: ${ownPerRow.toFixed(1)}; ` +
          `n_ctx per slot ${settings.nCtxPerSlot}`,
      );
      if (server) console.log(`llama-server: ${server.command}`);
      for (let round = 1; round <= (values.rounds as number); round++) {
        const runs: Run[] = [];
        for (const parallel of parallels) runs.push(await runSheet(csv, dir, settings, parallel));
        if (server) {
          const run: ServerRun = await runRows(
            server.url,
            splits.map((s) => s.messages),
            settings.tokens,
            values.serverNp as number,
          );
          runs.push({ label: `llama-server, ${values.serverNp} at a time`, ...run });
        }
        console.log(
          `\nround ${round} (load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(", ")})\n`,
        );
        console.log(table(runs, ownPerRow));
        if (values.anchor) {
          const first = runs[0];
          const shape: AnchorShape = {
            model: values.model as string,
            pp: Math.round(first.promptDecoded / first.rows),
            tg: Math.round(first.tokens / first.rows),
            parallels,
            nCtxPerSlot: settings.nCtxPerSlot,
            threads: settings.threads,
            fa,
          };
          const anchor = await runAnchor(values.anchor as string, shape);
          console.log(`\nanchor: ${anchorCommand(values.anchor as string, shape)}\n`);
          console.log(anchorTable(runs, anchor));
        }
      }
    } finally {
      await server?.stop();
    }
    return 0;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exitCode = await sheetsBench(Deno.args);
