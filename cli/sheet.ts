/**
 * `deno task sheet run IN --column "NAME=PROMPT" [--column ...] -o OUT`: adds columns
 * to a table file whose cells a model fills from the other columns, N rows at a time
 * on the engine's slots. Every input column is kept byte for byte (CSV/TSV to the same
 * format) and in row order; the output format comes from OUT's extension.
 *
 * The run's state is a sheet database beside the output, `OUT.sheet.db`: each cell is
 * saved as it finishes, so after Ctrl+C, a crash or kill -9, `--resume` generates only
 * the cells that are missing (or failed). It is deleted once OUT is written.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { formatOptions, optionRow, type OptionSpec, readOptions } from "../config/args.ts";
import { BUNDLED_MODEL } from "../config/config.ts";
import type { EngineOptions } from "../engine/engine.ts";
import { loadModel, type Model } from "../engine/model.ts";
import { createServingContext, type ServingContext } from "../engine/serving.ts";
import { ProviderRegistry } from "../app/providers/registry.ts";
import {
  backendGenerator,
  type CellGenerator,
  exportSheet,
  servingGenerator,
  SheetImportCancelledError,
  SheetService,
} from "../app/sheets/mod.ts";
import { openDatabase, type Storage } from "../storage/mod.ts";
import { formatFromPath } from "../tables/mod.ts";
import { writeAllSync } from "./errors.ts";
import { ProgressBar } from "./sheet_progress.ts";

const row = optionRow(["sheet"]);
const atLeast = (min: number) => ({
  ok: (v: number) => Number.isInteger(v) && v >= min,
  expect: `an integer >= ${min}`,
});

/** sheet's options, read by config/args.ts as every command's are. */
export const SHEET_OPTIONS: readonly OptionSpec[] = Object.freeze([
  row(
    "column",
    "--column",
    "string NAME=PROMPT",
    undefined,
    "a new column and its prompt; {{col}} is another column's value in the row; repeat for more (later ones may use earlier ones)",
    { multiple: true },
  ),
  row(
    "output",
    "-o, --output",
    "string FILE",
    undefined,
    "the output file: .csv, .tsv, .jsonl or .parquet",
  ),
  row("model", "-m, --model", "string FILE", BUNDLED_MODEL, "GGUF model file, or PROVIDER:MODEL", {
    defaultText: "models/stories260K.gguf (bundled)",
  }),
  row("parallel", "-np, --parallel", "int N", 8, "rows generated at once (slots)", {
    check: atLeast(1),
  }),
  row("maxTokens", "-n, --max-tokens", "int N", 256, "most tokens per cell", {
    check: atLeast(1),
    unit: "tokens",
  }),
  row(
    "nCtxSlot",
    "--ctx-per-row",
    "int N",
    undefined,
    "tokens each row's prompt and answer may take",
    {
      check: atLeast(64),
      defaultText: "min(4096, the model's training context)",
      unit: "tokens",
    },
  ),
  row(
    "jsonSchema",
    "--json-schema",
    "string FILE",
    undefined,
    "a JSON schema every new column's cells must match",
  ),
  row("systemPrompt", "--system", "string TEXT", undefined, "a system prompt for every new column"),
  row("temperature", "--temp", "number T", undefined, "sampling temperature", {
    defaultText: "the engine's, 0.8",
  }),
  row("seed", "-s, --seed", "int S", undefined, "sampling seed", { defaultText: "random" }),
  row("nThreads", "-t, --threads", "int N", undefined, "CPU threads", { check: atLeast(1) }),
  row(
    "resume",
    "--resume",
    "boolean",
    false,
    "finish an interrupted run: only missing and failed cells",
  ),
  row("help", "-h, --help", "boolean", false, "show this help"),
]);

const USAGE = `usage: deno task sheet run IN --column "NAME=PROMPT" [--column ...] -o OUT [flags]

Adds the columns to IN (.csv, .tsv, .jsonl, .parquet) and writes OUT; each new cell is
the model's answer to its column's prompt for that row. Example:
  deno task sheet run tickets.csv --column "summary=Summarize in one sentence: {{text}}" -o out.csv

${formatOptions(SHEET_OPTIONS)}
`;

/** What `sheet` needs from the environment. */
export interface SheetEnv extends EngineOptions {
  /** The app's data folder (unused by `run`, kept for future subcommands). */
  dataDir?: string;
  /** Remote providers for `-m NAME:MODEL`; default: the user's. */
  providers?: ProviderRegistry;
}

/** A `--column NAME=PROMPT`, parsed. */
interface ColumnFlag {
  name: string;
  prompt: string;
}

function parseColumn(text: string): ColumnFlag {
  const eq = text.indexOf("=");
  if (eq <= 0 || text.slice(eq + 1).trim() === "") {
    throw new RangeError(
      `Cannot use --column "${text}": expected NAME=PROMPT, e.g. "summary=Summarize: {{text}}"`,
    );
  }
  return { name: text.slice(0, eq).trim(), prompt: text.slice(eq + 1) };
}

/** The state database of a run writing `output`. */
export function statePath(output: string): string {
  return `${output}.sheet.db`;
}

async function removeState(path: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm"]) {
    await Deno.remove(path + suffix).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

/** Runs `sheet`; returns the exit status. Errors are thrown for main.ts to report. */
export async function sheetCommand(args: string[], env: SheetEnv = {}): Promise<number> {
  const { values, positionals, help } = readOptions(SHEET_OPTIONS, args, {
    helpHint: "hearth sheet --help",
    positionals: true,
  });
  if (help) {
    writeAllSync(Deno.stdout, USAGE);
    return 0;
  }
  const [action, input, ...extra] = positionals;
  if (action !== "run") {
    throw new RangeError(
      `Unknown sheet action "${action ?? ""}": expected "run"; see hearth sheet --help`,
    );
  }
  if (!input) {
    throw new RangeError("sheet run needs an input file: sheet run IN.csv --column ... -o OUT.csv");
  }
  if (extra.length > 0) {
    throw new RangeError(`Unexpected argument "${extra[0]}": see hearth sheet --help`);
  }
  const output = values.output as string | undefined;
  if (!output) throw new RangeError("sheet run needs -o OUT (.csv, .tsv, .jsonl or .parquet)");
  const columns = ((values.column as string[] | undefined) ?? []).map(parseColumn);
  if (columns.length === 0) {
    throw new RangeError('sheet run needs at least one --column "NAME=PROMPT"');
  }
  formatFromPath(input);
  formatFromPath(output);
  await readableFile(input, "the input");
  const schemaFile = values.jsonSchema as string | undefined;
  let schema: unknown = null;
  if (schemaFile) {
    await readableFile(schemaFile, "--json-schema");
    try {
      schema = JSON.parse(await Deno.readTextFile(schemaFile));
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new SyntaxError(`--json-schema ${schemaFile} is not JSON: ${error.message}`);
      }
      throw error;
    }
  }
  const sampling: Record<string, number> = {};
  if (values.temperature !== undefined) sampling.temperature = values.temperature as number;
  if (values.seed !== undefined) sampling.seed = values.seed as number;

  await writableOutput(output);
  const state = statePath(resolve(output));
  if (!values.resume) await removeState(state);
  const storage = openDatabase(state);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  let model: Model | undefined;
  let serving: ServingContext | undefined;
  let service: SheetService | undefined;
  const bar = new ProgressBar();
  let prepared = false;
  try {
    const modelName = values.model as string;
    const parallel = values.parallel as number;
    const generatorFor = async (): Promise<CellGenerator> => {
      const providers = env.providers ?? new ProviderRegistry({
        configDir: env.dataDir ?? ".",
        env: (name) => Deno.env.get(name),
      });
      const remote = modelName.includes(":") ? providers.resolve(modelName) : null;
      if (remote) {
        return backendGenerator(
          providers.backend(remote.provider),
          remote.model,
          Math.min(parallel, 5),
        );
      }
      model ??= await loadModel(modelName, {
        libDir: env.libDir,
        variant: env.variant,
        logLevel: env.logLevel,
      });
      serving ??= await createServingContext(model, {
        nParallel: parallel,
        nCtxPerSlot: values.nCtxSlot as number | undefined,
        nThreads: values.nThreads as number | undefined,
        queueLimit: parallel,
        nBatch: Math.max(2048, parallel),
      });
      return servingGenerator(serving, modelName);
    };
    service = new SheetService(storage, {
      generatorFor,
      parallel: () => parallel,
      onProgress: (progress) => bar.update(progress),
    }, { onProgress: (progress) => bar.importing(progress) });
    // The model loads first: a wrong -m is bad input, reported before any work is kept.
    await generatorFor();
    bar.start(basename(input));
    let sheet;
    try {
      sheet = await prepareSheet(
        storage,
        service,
        input,
        columns,
        {
          model: modelName,
          max_tokens: values.maxTokens as number,
          json_schema: schema,
          system_prompt: (values.systemPrompt as string | undefined) ?? "",
          sampling,
        },
        values.resume === true,
        controller.signal,
      );
    } catch (error) {
      if (!(error instanceof SheetImportCancelledError)) throw error;
      writeAllSync(Deno.stderr, `hearth: interrupted while importing ${input}; nothing was kept\n`);
      return 1;
    }
    prepared = true;
    const aiColumns = storage.sheets.columns(sheet.id).filter((c) => c.kind === "ai");
    for (const column of aiColumns) {
      if (controller.signal.aborted) break;
      bar.start(column.name);
      // A job an earlier run left (running when it died, or paused) continues first.
      for (const job of storage.sheets.jobs({ states: ["running", "paused"] })) {
        if (job.column_id !== column.id) continue;
        storage.sheets.setJobState(job.id, "paused");
        await waitOrStop(service, service.jobs.resume(job.id).id, controller.signal);
      }
      for (const mode of ["missing", "failed"] as const) {
        if (controller.signal.aborted) break;
        const counts = storage.sheets.counts(column.id, 0, sheet.row_count);
        if ((mode === "missing" ? counts.empty + counts.queued : counts.error) === 0) continue;
        const job = service.generate(column.id, { mode });
        const done = await waitOrStop(service, job.id, controller.signal);
        if (done.state === "failed") throw new Error(`Column "${column.name}": ${done.error}`);
      }
      bar.finish();
    }
    if (controller.signal.aborted) {
      bar.finish();
      writeAllSync(
        Deno.stderr,
        `hearth: interrupted; finished cells are saved: rerun with --resume to go on\n`,
      );
      return 1;
    }
    const failed = aiColumns.map((c) => ({
      c,
      n: storage.sheets.counts(c.id, 0, sheet.row_count).error,
    }))
      .filter(({ n }) => n > 0);
    await exportSheet(storage, storage.sheets.get(sheet.id)!, output);
    if (failed.length > 0) {
      const first = storage.sheets.cells(failed[0].c.id, 0, sheet.row_count).find((cell) =>
        cell.state === "error"
      );
      writeAllSync(
        Deno.stderr,
        `hearth: ${failed.map(({ c, n }) => `${n} cells of "${c.name}"`).join(", ")} failed ` +
          `(first: ${first?.error}); they are empty in ${output}: rerun with --resume to retry them\n`,
      );
      return 1;
    }
    storage.close();
    await removeState(state);
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    await service?.close();
    serving?.dispose();
    model?.dispose();
    if (!storage.closed) storage.close();
    // Bad input (a malformed file, an unknown column): no state worth resuming from.
    if (!prepared && !values.resume) await removeState(state);
  }
}

/**
 * Checks that `path` is a file this process can read, so that a wrong path is reported
 * as the flag that named it ("Cannot read --json-schema x.json: no such file") rather
 * than as the system call that failed.
 *
 * @param what How the user named the file: "the input", "--json-schema".
 * @throws {RangeError} For a missing, unreadable or non-regular file.
 */
async function readableFile(path: string, what: string): Promise<void> {
  let problem: string | undefined;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) problem = "it is a folder";
    else (await Deno.open(path, { read: true })).close();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) problem = "no such file";
    else if (error instanceof Deno.errors.PermissionDenied) problem = "permission denied";
    else throw error;
  }
  if (problem) throw new RangeError(`Cannot read ${what} ${path}: ${problem}`);
}

/**
 * Makes OUT's folder and checks OUT can be written there, before any work: a run that
 * finishes every cell and then cannot publish its file wastes it.
 *
 * @throws {RangeError} "Cannot write -o OUT: REASON" for a folder in the way or a folder
 *   that cannot be made.
 */
async function writableOutput(output: string): Promise<void> {
  const info = await Deno.stat(output).catch(() => null);
  if (info?.isDirectory) throw new RangeError(`Cannot write -o ${output}: it is a folder`);
  try {
    await Deno.mkdir(dirname(resolve(output)), { recursive: true });
  } catch (error) {
    const reason = error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotADirectory
      ? "a file is in the way of its folder"
      : (error as Error).message;
    throw new RangeError(`Cannot write -o ${output}: ${reason}`, { cause: error });
  }
}

/** Waits for a job; on Ctrl+C pauses it (its finished cells are saved already). */
async function waitOrStop(service: SheetService, jobId: string, signal: AbortSignal) {
  const onAbort = () => void service.jobs.pause(jobId).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await service.jobs.wait(jobId);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * The run's sheet: imported now, or (with `resume`) the one an earlier run left, which
 * must have the same input and columns.
 */
async function prepareSheet(
  storage: Storage,
  service: SheetService,
  input: string,
  columns: readonly ColumnFlag[],
  spec: {
    model: string;
    max_tokens: number;
    json_schema: unknown;
    system_prompt: string;
    sampling: Record<string, number>;
  },
  resume: boolean,
  signal: AbortSignal,
) {
  const signature = JSON.stringify({ input: resolve(input), columns, ...spec });
  const earlier = resume ? storage.sheets.list().find((s) => s.name === signature) : undefined;
  if (earlier) return earlier;
  if (resume && storage.sheets.list().length > 0) {
    throw new RangeError(
      "Cannot resume: the earlier run had another input, columns or options; run without --resume to start over",
    );
  }
  // Progress on stderr (the service's import progress); Ctrl+C stops it, keeping nothing.
  const sheet = await service.import(input, { name: signature, signal });
  for (const column of columns) {
    service.addColumn(sheet.id, {
      name: column.name,
      kind: "ai",
      ai: {
        prompt: column.prompt,
        model: spec.model,
        max_tokens: spec.max_tokens,
        json_schema: spec.json_schema,
        system_prompt: spec.system_prompt,
        sampling: spec.sampling,
      },
    });
  }
  return storage.sheets.get(sheet.id)!;
}
