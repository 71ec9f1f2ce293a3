/**
 * `deno run -A bench/sheets.ts [-m MODEL] [--rows N] [-n TOKENS] [--parallel 1,16]`:
 * rows/s of one AI column over a CSV, the sheet pipeline end to end in this process
 * (import into SQLite, a job on a serving context with N slots, every cell saved in
 * its own transaction), once per `--parallel` value, on the same rows and model in the
 * same run. Also reports prompt tokens decoded against the prompt tokens of all rows.
 *
 * @module
 */
import { join } from "node:path";
import { formatOptions, optionRow, type OptionSpec, readOptions } from "../config/args.ts";
import { loadModel } from "../engine/model.ts";
import { createServingContext } from "../engine/serving.ts";
import { type ColumnProgress, servingGenerator, SheetService } from "../app/sheets/mod.ts";
import { openDatabase } from "../storage/mod.ts";
import { STORIES_260K } from "../tests/models.ts";

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
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

interface Run {
  parallel: number;
  seconds: number;
  rows: number;
  tokens: number;
  promptDecoded: number;
  promptTotal: number;
}

async function runOnce(
  csv: string,
  dir: string,
  model: Awaited<ReturnType<typeof loadModel>>,
  parallel: number,
  tokens: number,
  threads: number | undefined,
): Promise<Run> {
  using serving = await createServingContext(model, {
    nParallel: parallel,
    nCtxPerSlot: 256,
    nThreads: threads,
    queueLimit: parallel,
  });
  const storage = openDatabase(join(dir, `p${parallel}.db`));
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
      // Greedy: both runs generate the same cells (a cell may stop early at EOS).
      ai: {
        prompt: "Summarize in one sentence: {{text}}",
        max_tokens: tokens,
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
      parallel,
      seconds,
      rows: cells.length,
      tokens: cells.reduce((sum, c) => sum + (c.tokens ?? 0), 0),
      promptDecoded: last?.prompt_tokens_decoded ?? 0,
      promptTotal: last?.prompt_tokens_total ?? 0,
    };
  } finally {
    await service.close();
    storage.close();
  }
}

/** Runs the bench; prints a Markdown table. */
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
  const dir = await Deno.makeTempDir({ prefix: "hearth-sheets-bench-" });
  try {
    const csv = join(dir, "rows.csv");
    const lines = Array.from(
      { length: values.rows as number },
      (_, i) =>
        `${i},"Once upon a time, a little bird number ${i} found a shiny stone by the river."`,
    );
    await Deno.writeTextFile(csv, ["id,text", ...lines].join("\n") + "\n");
    using model = await loadModel(values.model as string);
    const runs: Run[] = [];
    for (const parallel of parallels) {
      runs.push(
        await runOnce(
          csv,
          dir,
          model,
          parallel,
          values.tokens as number,
          values.threads as number | undefined,
        ),
      );
    }
    const base = runs[0].rows / runs[0].seconds;
    console.log(
      "| --parallel | rows | s | rows/s | tok/s | vs first | prompt tokens decoded / total |",
    );
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of runs) {
      const rate = r.rows / r.seconds;
      console.log(
        `| ${r.parallel} | ${r.rows} | ${r.seconds.toFixed(1)} | ${rate.toFixed(1)} | ` +
          `${(r.tokens / r.seconds).toFixed(0)} | ${(rate / base).toFixed(2)}x | ` +
          `${r.promptDecoded} / ${r.promptTotal} |`,
      );
    }
    return 0;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) Deno.exitCode = await sheetsBench(Deno.args);
