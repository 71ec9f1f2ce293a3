/**
 * The generation history and the saved `deno task bench` runs, for the front ends: checks a
 * filter as it arrives (text from a URL or a form) and reads the storage's view
 * (storage/history.ts) and table (storage/bench_runs.ts). It generates nothing itself.
 *
 * @module
 */
import {
  type BenchRun,
  HISTORY_KINDS,
  type HistoryFilter,
  type HistoryKind,
  type HistoryPage,
  type Storage,
} from "../../storage/mod.ts";
import { BenchRunNotFoundError, HistoryQueryError } from "./errors.ts";

/** Entries per page when the query names none. */
export const DEFAULT_HISTORY_LIMIT = 50;
/** Most entries per page: a page is one JSON answer, kept small enough to render at once. */
export const MAX_HISTORY_LIMIT = 200;

/**
 * A history query as text fields (a URL's query string), each optional; empty means "any".
 * Times are ms since the epoch.
 */
export interface HistoryQuery {
  /** "reply" or "sheet_job". */
  kind?: string;
  /** A model path or provider model id, exactly. */
  model?: string;
  /** Text the entry contains, any case. */
  text?: string;
  /** Created at or after, ms since the epoch. */
  since?: string;
  /** Created before, ms since the epoch. */
  until?: string;
  /** Entries per page, 1..{@link MAX_HISTORY_LIMIT}; default {@link DEFAULT_HISTORY_LIMIT}. */
  limit?: string;
  /** Entries skipped, >= 0; default 0. */
  offset?: string;
}

/** A page of the history with the page it is (after defaults). */
export interface HistoryResult extends HistoryPage {
  limit: number;
  offset: number;
}

/** Reads a whole number in `min..max` from `text`; undefined for empty text. */
function readInt(field: string, text: string | undefined, min: number, max: number) {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new HistoryQueryError(field, `must be an integer in ${min}..${max}, got "${text}"`);
  }
  return value;
}

/** The history and bench runs over one database. */
export class HistoryService {
  readonly #storage: Storage;

  /** @param storage The app's database. */
  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /**
   * One page of every reply and sheet job, newest first.
   *
   * @param query The filter and page, as text.
   * @returns The entries, the total matching, and the page's limit and offset.
   * @throws {HistoryQueryError} For an unknown kind, a time or size that is not a whole
   *   number in range, or `since` after `until`.
   */
  list(query: HistoryQuery = {}): HistoryResult {
    const kind = query.kind || undefined;
    if (kind !== undefined && !HISTORY_KINDS.includes(kind as HistoryKind)) {
      throw new HistoryQueryError("kind", `must be one of ${HISTORY_KINDS.join(", ")}`);
    }
    const since = readInt("since", query.since, 0, Number.MAX_SAFE_INTEGER);
    const until = readInt("until", query.until, 0, Number.MAX_SAFE_INTEGER);
    if (since !== undefined && until !== undefined && since > until) {
      throw new HistoryQueryError("since", "must not be after until");
    }
    const limit = readInt("limit", query.limit, 1, MAX_HISTORY_LIMIT) ?? DEFAULT_HISTORY_LIMIT;
    const offset = readInt("offset", query.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const filter: HistoryFilter = {
      kind: kind as HistoryKind | undefined,
      model: query.model || undefined,
      text: query.text?.trim() || undefined,
      since,
      until,
      limit,
      offset,
    };
    return { ...this.#storage.history.list(filter), limit, offset };
  }

  /** The models the history names, sorted (the model filter's choices). */
  models(): string[] {
    return this.#storage.history.models();
  }

  /** Saved bench runs, newest first; of one model when `model` is given. */
  benchRuns(model?: string): BenchRun[] {
    return this.#storage.benchRuns.list(model ? { model_filename: model } : {});
  }

  /**
   * One saved bench run.
   *
   * @throws {BenchRunNotFoundError} When no run has this id.
   */
  benchRun(id: string): BenchRun {
    const run = this.#storage.benchRuns.get(id);
    if (!run) throw new BenchRunNotFoundError(id);
    return run;
  }

  /**
   * Deletes a saved bench run.
   *
   * @throws {BenchRunNotFoundError} When no run has this id.
   */
  removeBenchRun(id: string): void {
    if (!this.#storage.benchRuns.remove(id)) throw new BenchRunNotFoundError(id);
  }
}
