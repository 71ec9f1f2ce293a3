/**
 * The job runner: fills an AI column's queued cells, N rows at a time, each finished
 * cell written in its own transaction as it finishes. Jobs live in SQLite; a process
 * that stops (close, crash, kill -9) leaves its jobs "running" with their unfinished
 * cells "queued", and {@link SheetJobRunner.resumeRunning} picks them up: a finished
 * cell is never lost and never generated again. A cell the user edits or approves while
 * it is generating keeps the user's value (only queued cells are written).
 *
 * @module
 */
import { jsonSchemaToGrammar } from "../../engine/json_schema_grammar.ts";
import type { SamplingOptions } from "../../engine/sampling.ts";
import type { SheetColumn, SheetJob, SheetRow, Storage } from "../../storage/mod.ts";
import { SheetJobConflictError, SheetNotFoundError } from "./errors.ts";
import { aiSpec, checkJsonCell } from "./column_spec.ts";
import type { CellGenerator } from "./generators.ts";
import { buildCellPrompt, type CellPrompt, type PromptExample, templateColumns } from "./prompt.ts";

/** Few-shot examples per prompt at most (approved or edited cells, first rows first). */
export const MAX_EXAMPLES = 5;
/** Concurrent rows of a job unless the caller says otherwise. */
export const DEFAULT_PARALLEL = 8;
/** Progress events per job at most every this many milliseconds. */
const PROGRESS_INTERVAL_MS = 250;

/** A column's progress, as the UI and the CLI show it. */
export interface ColumnProgress {
  sheet_id: string;
  column_id: string;
  job_id: string;
  state: SheetJob["state"];
  /** Rows of the job's range. */
  rows_total: number;
  /** Rows of the range with a finished cell (done, error, edited, approved). */
  rows_done: number;
  /** Of those, cells in error. */
  rows_failed: number;
  /** Cells finished per second since this process started the job. */
  rows_per_s: number;
  /** Tokens generated per second since then. */
  tok_per_s: number;
  /** Seconds left at that rate; null until a cell finished. */
  eta_s: number | null;
  /** Prompt tokens decoded, and the prompt tokens of the cells (decoded or cached). */
  prompt_tokens_decoded: number;
  prompt_tokens_total: number;
}

/** Options of {@link SheetJobRunner}. */
export interface RunnerOptions {
  /** The generator for an AI column (loads its model if need be). */
  generatorFor: (column: SheetColumn) => Promise<CellGenerator>;
  /**
   * Rows in flight per job at most (also capped by the generator's own). Default: the
   * job's sheet's `parallel` setting (8 unless changed).
   */
  parallel?: (job: SheetJob) => number;
  /** Called with a job's progress as cells finish (throttled) and when it stops. */
  onProgress?: (progress: ColumnProgress) => void;
  /** Called when a job ends in failure (its model did not load...). */
  onError?: (job: SheetJob, error: unknown) => void;
}

interface Active {
  job: SheetJob;
  abort: AbortController;
  done: Promise<void>;
  started: number;
  finished: number;
  tokens: number;
  promptTokens: number;
  promptDecoded: number;
  lastEvent: number;
}

/** Runs sheet jobs; one per AI column at a time. */
export class SheetJobRunner {
  readonly #storage: Storage;
  readonly #options: RunnerOptions;
  readonly #active = new Map<string, Active>();

  /** Makes the runner; nothing runs until a job is started or resumed. */
  constructor(storage: Storage, options: RunnerOptions) {
    this.#storage = storage;
    this.#options = options;
  }

  /**
   * Starts a job over rows [from, to) of an AI column: queues the cells `mode` selects
   * ("missing": never generated; "failed": in error; "all": all but approved and
   * edited), then generates them.
   *
   * @throws {SheetNotFoundError} for an unknown column.
   * @throws {SheetColumnError} when its spec no longer holds (a `{{column}}` deleted).
   * @throws {SheetJobConflictError} when the column has a running or paused job.
   */
  start(
    columnId: string,
    range: { from?: number; to?: number; mode?: "missing" | "failed" | "all" } = {},
  ): SheetJob {
    const sheets = this.#storage.sheets;
    const column = sheets.column(columnId);
    if (!column || column.kind !== "ai") throw new SheetNotFoundError("column", columnId);
    // The spec is checked again: a column its template names may be gone since (deleted),
    // and every cell would be generated from an empty value.
    aiSpec(
      column.ai!,
      column.name,
      sheets.columns(column.sheet_id).filter((c) => c.id !== columnId),
    );
    const sheet = sheets.get(column.sheet_id)!;
    const from = Math.max(0, range.from ?? 0);
    const to = Math.min(sheet.row_count, range.to ?? sheet.row_count);
    if (!(from < to)) throw new RangeError(`Rows [${from}, ${to}) hold no row of the sheet`);
    const job = this.#storage.transaction(() => {
      const busy = sheets.jobs({ states: ["running", "paused"] }).find((j) =>
        j.column_id === columnId
      );
      if (busy) {
        throw new SheetJobConflictError(
          `Column "${column.name}" has a ${busy.state} job: cancel it or let it finish first`,
        );
      }
      sheets.queueCells(columnId, sheet.id, from, to, range.mode ?? "missing");
      return sheets.createJob(sheet.id, columnId, from, to);
    });
    this.#launch(job);
    return job;
  }

  /** Continues every job left "running" (by this process's last run, or a crash). */
  resumeRunning(): SheetJob[] {
    const jobs = this.#storage.sheets.jobs({ states: ["running"] });
    for (const job of jobs) if (!this.#active.has(job.id)) this.#launch(job);
    return jobs;
  }

  /**
   * Pauses a running job: cells in flight stop and stay queued.
   *
   * @throws {SheetNotFoundError} / {SheetJobConflictError} for an unknown or finished job.
   */
  async pause(jobId: string): Promise<SheetJob> {
    const job = this.#require(jobId, ["running"]);
    this.#storage.sheets.setJobState(job.id, "paused");
    await this.#stop(job.id);
    return this.#storage.sheets.job(job.id)!;
  }

  /** Resumes a paused job. */
  resume(jobId: string): SheetJob {
    const job = this.#require(jobId, ["paused"]);
    this.#storage.sheets.setJobState(job.id, "running");
    const running = this.#storage.sheets.job(job.id)!;
    this.#launch(running);
    return running;
  }

  /** Cancels a running or paused job: its queued cells go back to what they were. */
  async cancel(jobId: string): Promise<SheetJob> {
    const job = this.#require(jobId, ["running", "paused"]);
    this.#storage.sheets.setJobState(job.id, "cancelled");
    await this.#stop(job.id);
    this.#storage.sheets.unqueue(job.column_id, job.row_start, job.row_end);
    this.#emit(this.#storage.sheets.job(job.id)!, true);
    return this.#storage.sheets.job(job.id)!;
  }

  /** Resolves when the job is no longer running here (finished, paused, cancelled). */
  async wait(jobId: string): Promise<SheetJob> {
    await this.#active.get(jobId)?.done;
    return this.#storage.sheets.job(jobId)!;
  }

  /** The progress of a job (of a column's latest job, by {@link progressOf}). */
  progress(jobId: string): ColumnProgress {
    const job = this.#storage.sheets.job(jobId);
    if (!job) throw new SheetNotFoundError("job", jobId);
    return this.#progress(job);
  }

  /** The progress of a column's newest job, or null when it has none. */
  progressOf(columnId: string): ColumnProgress | null {
    const jobs = this.#storage.sheets.jobs().filter((j) => j.column_id === columnId);
    const job = jobs.at(-1);
    return job ? this.#progress(job) : null;
  }

  /**
   * Stops every job in this process without changing its state: "running" jobs
   * continue at the next {@link resumeRunning}. For shutdown.
   */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.#stop(id)));
  }

  /** Renders the prompt a cell would get now (for the UI's cell details and tests). */
  prompt(columnId: string, rowIdx: number): CellPrompt {
    const column = this.#storage.sheets.column(columnId);
    if (!column || column.kind !== "ai") throw new SheetNotFoundError("column", columnId);
    const [row] = this.#storage.sheets.rows(column.sheet_id, rowIdx, rowIdx + 1);
    if (!row) throw new SheetNotFoundError("row", rowIdx);
    return this.#prompt(column, this.#storage.sheets.columns(column.sheet_id), row);
  }

  #require(jobId: string, states: readonly SheetJob["state"][]): SheetJob {
    const job = this.#storage.sheets.job(jobId);
    if (!job) throw new SheetNotFoundError("job", jobId);
    if (!states.includes(job.state)) {
      throw new SheetJobConflictError(`The job is ${job.state}, not ${states.join(" or ")}`);
    }
    return job;
  }

  async #stop(jobId: string): Promise<void> {
    const active = this.#active.get(jobId);
    if (!active) return;
    active.abort.abort();
    await active.done;
  }

  #launch(job: SheetJob): void {
    const active: Active = {
      job,
      abort: new AbortController(),
      done: Promise.resolve(),
      started: performance.now(),
      finished: 0,
      tokens: 0,
      promptTokens: 0,
      promptDecoded: 0,
      lastEvent: 0,
    };
    this.#active.set(job.id, active);
    active.done = this.#run(active).catch((error) => {
      if (active.abort.signal.aborted) return;
      this.#storage.sheets.setJobState(job.id, "failed", (error as Error).message);
      this.#options.onError?.(this.#storage.sheets.job(job.id)!, error);
    }).finally(() => {
      // The last event still has this run's rates; then the job is no longer active.
      const now = this.#storage.sheets.job(job.id);
      if (now) this.#emit(now, true);
      this.#active.delete(job.id);
    });
  }

  #prompt(column: SheetColumn, columns: readonly SheetColumn[], row: SheetRow): CellPrompt {
    const ai = column.ai!;
    const names = templateColumns(ai.prompt);
    const byName = new Map(columns.map((c) => [c.name, c]));
    const cellsOf = (c: SheetColumn, idx: number) =>
      this.#storage.sheets.cell(c.id, idx)?.value ?? null;
    const valueOf = (name: string, r: SheetRow) => {
      const c = byName.get(name);
      if (!c) return null;
      return c.kind === "data" ? r.data[c.slot!] ?? null : cellsOf(c, r.idx);
    };
    const examples: PromptExample[] = [];
    for (const cell of this.#storage.sheets.examples(column.id, MAX_EXAMPLES + 1)) {
      if (cell.row_idx === row.idx || examples.length === MAX_EXAMPLES) continue;
      const [exampleRow] = this.#storage.sheets.rows(
        column.sheet_id,
        cell.row_idx,
        cell.row_idx + 1,
      );
      if (!exampleRow) continue;
      examples.push({
        inputs: names.map((name) => ({ name, value: valueOf(name, exampleRow) })),
        output: cell.value!,
      });
    }
    return buildCellPrompt(
      ai.prompt,
      ai.system_prompt,
      names.map((name) => ({ name, value: valueOf(name, row) })),
      examples,
    );
  }

  async #run(active: Active): Promise<void> {
    const { job, abort } = active;
    const sheets = this.#storage.sheets;
    const column = sheets.column(job.column_id);
    if (!column?.ai) throw new SheetNotFoundError("column", job.column_id);
    const columns = sheets.columns(job.sheet_id);
    const generator = await this.#options.generatorFor(column);
    const grammar = column.ai.json_schema ? jsonSchemaToGrammar(column.ai.json_schema) : "";
    const parallel = Math.max(
      1,
      Math.min(
        this.#options.parallel?.(job) ?? sheets.get(job.sheet_id)?.parallel ?? DEFAULT_PARALLEL,
        generator.parallel,
      ),
    );
    // Rows handed to the generator: those it runs, plus a few waiting in its queue. Only when
    // the job uses every slot: below that, a handed-over row would not wait but run on a free
    // slot, past the sheet's own setting.
    const lookahead = parallel >= generator.parallel ? generator.lookahead ?? 0 : 0;
    const limit = parallel + Math.min(parallel, lookahead);
    const inFlight = new Map<number, Promise<void>>();
    let after = job.row_start - 1;
    this.#emit(job, true);
    while (!abort.signal.aborted) {
      if (inFlight.size < limit) {
        const next = sheets.queued(
          job.column_id,
          job.row_start,
          job.row_end,
          after,
          limit - inFlight.size,
        );
        for (const idx of next) {
          after = idx;
          const cell = this.#cell(active, column, columns, generator, grammar, idx)
            .finally(() => inFlight.delete(idx));
          inFlight.set(idx, cell);
        }
        if (next.length === 0 && inFlight.size === 0) {
          // Cells queued behind `after` meanwhile (none in this version, but cheap):
          const again = sheets.queued(
            job.column_id,
            job.row_start,
            job.row_end,
            job.row_start - 1,
            1,
          );
          if (again.length === 0) break;
          after = job.row_start - 1;
          continue;
        }
      }
      await Promise.race(inFlight.values());
    }
    await Promise.allSettled(inFlight.values());
    if (!abort.signal.aborted) sheets.setJobState(job.id, "done");
  }

  async #cell(
    active: Active,
    column: SheetColumn,
    columns: readonly SheetColumn[],
    generator: CellGenerator,
    grammar: string,
    idx: number,
  ): Promise<void> {
    const sheets = this.#storage.sheets;
    const ai = column.ai!;
    const signal = active.abort.signal;
    const started = performance.now();
    try {
      const [row] = sheets.rows(column.sheet_id, idx, idx + 1);
      if (!row) throw new SheetNotFoundError("row", idx);
      const prompt = this.#prompt(column, columns, row);
      const result = await generator.generate({
        messages: prompt.messages,
        maxTokens: ai.max_tokens,
        sampling: ai.sampling as SamplingOptions,
        grammar,
        jsonSchema: ai.json_schema ?? null,
        signal,
      });
      if (signal.aborted) return; // stopped: the cell stays queued
      if (ai.json_schema != null) checkJsonCell(result.text, result.tokens, ai.max_tokens);
      sheets.finishCell(column.id, idx, {
        value: result.text,
        state: "done",
        error: null,
        tokens: result.tokens,
        ms: performance.now() - started,
        model: result.model,
      });
      active.tokens += result.tokens;
      active.promptTokens += result.promptTokens;
      active.promptDecoded += result.promptTokens - result.cachedTokens;
    } catch (error) {
      if (signal.aborted) return;
      sheets.finishCell(column.id, idx, {
        value: null,
        state: "error",
        error: error instanceof Error ? error.message : String(error),
        tokens: null,
        ms: performance.now() - started,
        model: generator.model,
      });
    }
    active.finished++;
    this.#emit(active.job, false);
  }

  #emit(job: SheetJob, force: boolean): void {
    if (!this.#options.onProgress) return;
    const active = this.#active.get(job.id);
    const now = performance.now();
    if (!force && active && now - active.lastEvent < PROGRESS_INTERVAL_MS) return;
    if (active) active.lastEvent = now;
    this.#options.onProgress(this.#progress(job));
  }

  #progress(job: SheetJob): ColumnProgress {
    const current = this.#storage.sheets.job(job.id) ?? job;
    const counts = this.#storage.sheets.counts(job.column_id, job.row_start, job.row_end);
    const total = job.row_end - job.row_start;
    const done = counts.done + counts.error + counts.edited + counts.approved;
    const active = this.#active.get(job.id);
    const seconds = active ? (performance.now() - active.started) / 1000 : 0;
    const rowsPerS = active && seconds > 0 ? active.finished / seconds : 0;
    return {
      sheet_id: job.sheet_id,
      column_id: job.column_id,
      job_id: job.id,
      state: current.state,
      rows_total: total,
      rows_done: done,
      rows_failed: counts.error,
      rows_per_s: rowsPerS,
      tok_per_s: active && seconds > 0 ? active.tokens / seconds : 0,
      eta_s: rowsPerS > 0 ? counts.queued / rowsPerS : null,
      prompt_tokens_decoded: active?.promptDecoded ?? 0,
      prompt_tokens_total: active?.promptTokens ?? 0,
    };
  }
}
