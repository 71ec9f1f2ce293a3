/**
 * The generation history: every assistant reply (messages keep their model, sampling and
 * metrics) and every sheet job (its AI column's spec, and its cells' tokens and times),
 * as one list, newest first, filtered and paged in SQL. Nothing here is stored twice: the
 * history is a view over the messages and sheets tables.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { parseJson, type Row } from "./_sql.ts";
import { ftsQuery } from "./search.ts";
import type { Metrics, Sampling } from "./types.ts";

/** What a history entry records: a chat reply or a sheet job (an AI column over rows). */
export type HistoryKind = "reply" | "sheet_job";

/** Every {@link HistoryKind}. */
export const HISTORY_KINDS: readonly HistoryKind[] = ["reply", "sheet_job"];

/** Filters and page of {@link GenerationHistory.list}; every filter is optional. */
export interface HistoryFilter {
  /** Only this kind. */
  kind?: HistoryKind;
  /** Only this model (a file path, or a provider's model id), exactly. */
  model?: string;
  /**
   * Only entries with this text: a reply whose text has every word of it as a word prefix
   * (the sidebar search's full-text match: "drag" finds "dragon"), or whose chat title, sheet
   * or column name or column prompt contains it (any case).
   */
  text?: string;
  /** Only entries created at or after this time, ms since the epoch. */
  since?: number;
  /** Only entries created before this time, ms since the epoch. */
  until?: number;
  /** Most entries per page. @default {50} */
  limit?: number;
  /** Entries skipped (the page's start). @default {0} */
  offset?: number;
}

/**
 * An entry's measurements; null where the kind does not measure it (a sheet job has no
 * TTFT) or the reply never finished.
 */
export interface HistoryMetrics {
  /** Tokens in the prompt (replies). */
  prompt_tokens: number | null;
  /** Tokens generated (a sheet job: over all its cells). */
  completion_tokens: number | null;
  /** Time to the first token, ms (replies). */
  ttft_ms: number | null;
  /** Prompt tokens decoded per second (replies). */
  prompt_tok_per_sec: number | null;
  /**
   * Tokens generated per second: a reply's generation speed; a sheet job's tokens over the
   * summed generation time of its cells (per-cell speed, not the job's throughput).
   */
  gen_tok_per_sec: number | null;
  /** Wall time, ms: a reply's TTFT plus generation; a sheet job's start to last change. */
  duration_ms: number | null;
}

/** One generation in the history. */
export interface HistoryEntry {
  kind: HistoryKind;
  /** The message id (reply) or job id (sheet job). */
  id: string;
  /** ms since the epoch. */
  created_at: number;
  /** The model path or provider model id; null when unknown (a job that generated nothing). */
  model: string | null;
  /** "local" or "remote" for replies; null for sheet jobs. */
  backend: "local" | "remote" | null;
  /** The remote provider's name, else null. */
  provider: string | null;
  /** The chat's title, or "sheet · column". */
  title: string;
  /** The chat id (reply) or sheet id (sheet job). */
  source_id: string;
  /** A message state ("complete", "error", ...) or a job state ("done", "failed", ...). */
  state: string;
  /** A reply's finish reason ("stop", "length", "abort"); else null. */
  finish_reason: string | null;
  /** Why it failed, else null. */
  error: string | null;
  /** The sampling it ran with, llama-server names (`temperature`, `top_k`, `max_tokens`). */
  sampling: Sampling;
  /** The context size, tokens; null when not recorded (older replies use the default). */
  n_ctx: number | null;
  metrics: HistoryMetrics;
  /** The reply's first characters, or the column's prompt. */
  preview: string;
  /** Rows a sheet job covers; null for replies. */
  rows: number | null;
}

/** One page of {@link GenerationHistory.list}. */
export interface HistoryPage {
  entries: HistoryEntry[];
  /** Entries matching the filter on every page. */
  total: number;
}

/** Characters of a reply kept as its preview. */
const PREVIEW_CHARS = 240;

// A job's cells: its rows, written while it ran (a later job over the same rows rewrites them,
// and they count for that one then).
const JOB_CELLS = `cell.column_id = j.column_id AND cell.row_idx >= j.row_start
    AND cell.row_idx < j.row_end AND cell.updated_at >= j.created_at
    AND (j.state = 'running' OR cell.updated_at <= j.updated_at)`;

// The sheet job's model: the one its cells were generated with (the column's spec may say
// "the loaded model"), else the spec's.
const JOB_MODEL = `coalesce((SELECT max(cell.model) FROM sheet_cells cell WHERE ${JOB_CELLS}),
    json_extract(col.ai, '$.model'))`;

// Each filter is "(? IS NULL OR ...)": one statement text, prepared once, for every filter.
// ?1 kind, ?2 model, ?3 text (LIKE-escaped), ?4 since, ?5 until, ?6 text as an FTS5 query.
// A reply's text is searched through the full-text index as the sidebar's search does (every
// term a word prefix): a LIKE over every reply reads all their text (about 200 ms for 20,000
// replies, bench/history_query.ts). Titles, sheets and columns are few: LIKE, any substring.
// Soft-deleted chats by a NOT IN list (few, from the chats_deleted index) rather than a join
// per reply, so counting reads only the messages_replies index unless the text is searched.
const REPLY_WHERE = `
  WHERE m.role = 'assistant' AND (?1 IS NULL OR ?1 = 'reply')
    AND m.chat_id NOT IN (SELECT id FROM chats WHERE deleted_at IS NOT NULL)
    AND (?2 IS NULL OR m.model = ?2)
    AND (?3 IS NULL
      OR (?6 IS NOT NULL AND m.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?6))
      OR m.chat_id IN (SELECT id FROM chats WHERE title LIKE '%' || ?3 || '%' ESCAPE '\\'))
    AND (?4 IS NULL OR m.created_at >= ?4) AND (?5 IS NULL OR m.created_at < ?5)`;
const JOB_FROM = `
  FROM sheet_jobs j
    JOIN sheet_columns col ON col.id = j.column_id
    JOIN sheets s ON s.id = j.sheet_id
  WHERE (?1 IS NULL OR ?1 = 'sheet_job') AND (?2 IS NULL OR ${JOB_MODEL} = ?2)
    AND (?3 IS NULL OR (s.name || char(10) || col.name || char(10) ||
      coalesce(json_extract(col.ai, '$.prompt'), '')) LIKE '%' || ?3 || '%' ESCAPE '\\')
    AND (?4 IS NULL OR j.created_at >= ?4) AND (?5 IS NULL OR j.created_at < ?5)`;

// Both kinds in one shape. A compound SELECT's ORDER BY merges its arms, each read newest
// first from an index (migration 13's messages_replies, sheet_jobs_created), so a page costs
// about limit + offset rows, not a sort of the whole history.
const PAGE = `
  SELECT 'reply' AS kind, m.id AS id, m.created_at AS created_at, m.model AS model,
    m.backend AS backend, m.provider AS provider, c.title AS title, c.id AS source_id,
    m.state AS state, m.finish_reason AS finish_reason, m.error AS error,
    m.sampling AS sampling, coalesce(json_extract(m.metrics, '$.n_ctx'), c.n_ctx) AS n_ctx,
    m.metrics AS metrics, NULL AS ai, NULL AS rows, NULL AS tokens, NULL AS cell_ms,
    NULL AS updated_at, substr(m.content, 1, ${PREVIEW_CHARS}) AS preview
  FROM messages m JOIN chats c ON c.id = m.chat_id ${REPLY_WHERE}
  UNION ALL
  SELECT 'sheet_job', j.id, j.created_at, ${JOB_MODEL}, NULL, NULL, s.name || ' · ' || col.name,
    s.id, j.state, NULL, j.error, NULL, NULL, NULL, col.ai, j.row_end - j.row_start,
    (SELECT sum(cell.tokens) FROM sheet_cells cell WHERE ${JOB_CELLS}),
    (SELECT sum(cell.ms) FROM sheet_cells cell WHERE ${JOB_CELLS} AND cell.tokens > 0),
    j.updated_at, substr(json_extract(col.ai, '$.prompt'), 1, ${PREVIEW_CHARS})
  ${JOB_FROM}
  ORDER BY created_at DESC, id DESC LIMIT ?7 OFFSET ?8`;

const COUNT = `SELECT (SELECT count(*) FROM messages m ${REPLY_WHERE}) +
  (SELECT count(*) ${JOB_FROM}) AS n`;

const MODELS = `
  SELECT DISTINCT m.model AS model FROM messages m
    WHERE m.role = 'assistant' AND m.model IS NOT NULL
      AND m.chat_id NOT IN (SELECT id FROM chats WHERE deleted_at IS NOT NULL)
  UNION
  SELECT ${JOB_MODEL} FROM sheet_jobs j JOIN sheet_columns col ON col.id = j.column_id
    WHERE ${JOB_MODEL} IS NOT NULL
  ORDER BY model`;

/** `text` for LIKE: its wildcards and the escape character taken literally. */
function likeText(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The engine's camelCase sampling names of a sheet column, as llama-server spells them. */
function wireSampling(sampling: Record<string, number> | undefined): Sampling {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(sampling ?? {})) {
    out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  }
  return out as Sampling;
}

function toEntry(row: Row): HistoryEntry {
  const base = {
    id: row.id as string,
    created_at: row.created_at as number,
    model: (row.model as string | null) ?? null,
    title: row.title as string,
    source_id: row.source_id as string,
    state: row.state as string,
    error: (row.error as string | null) ?? null,
    preview: (row.preview as string | null) ?? "",
  };
  if (row.kind === "reply") {
    const m = parseJson<Metrics>(row.metrics);
    return {
      ...base,
      kind: "reply",
      backend: (row.backend as "local" | "remote" | null) ?? null,
      provider: (row.provider as string | null) ?? null,
      finish_reason: (row.finish_reason as string | null) ?? null,
      sampling: parseJson<Sampling>(row.sampling) ?? {},
      n_ctx: (row.n_ctx as number | null) ?? null,
      rows: null,
      metrics: {
        prompt_tokens: m?.prompt_tokens ?? null,
        completion_tokens: m?.completion_tokens ?? null,
        ttft_ms: m?.ttft_ms ?? null,
        prompt_tok_per_sec: m?.prompt_tok_per_sec ?? null,
        gen_tok_per_sec: m?.gen_tok_per_sec ?? null,
        duration_ms: m?.duration_ms ?? null,
      },
    };
  }
  const ai = parseJson<{ sampling?: Record<string, number>; max_tokens?: number }>(row.ai);
  const tokens = (row.tokens as number | null) ?? null;
  const cellMs = (row.cell_ms as number | null) ?? null;
  return {
    ...base,
    kind: "sheet_job",
    backend: null,
    provider: null,
    finish_reason: null,
    sampling: {
      ...wireSampling(ai?.sampling),
      ...(ai?.max_tokens === undefined ? {} : { max_tokens: ai.max_tokens }),
    },
    n_ctx: null,
    rows: row.rows as number,
    metrics: {
      prompt_tokens: null,
      completion_tokens: tokens,
      ttft_ms: null,
      prompt_tok_per_sec: null,
      gen_tok_per_sec: tokens !== null && cellMs ? tokens * 1000 / cellMs : null,
      duration_ms: Math.max(0, (row.updated_at as number) - base.created_at),
    },
  };
}

/** The generation history over one database (`Storage.history`). */
export class GenerationHistory {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.history`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * One page of the history, newest first (ties by id, so pages never overlap).
   *
   * @param filter Kind, model, text, time range; page size and start.
   * @returns The page's entries and how many match in all.
   */
  list(filter: HistoryFilter = {}): HistoryPage {
    const params = [
      filter.kind ?? null,
      filter.model ?? null,
      filter.text ? likeText(filter.text) : null,
      filter.since ?? null,
      filter.until ?? null,
      filter.text ? ftsQuery(filter.text) : null,
    ];
    const limit = Math.max(1, Math.trunc(filter.limit ?? 50));
    const offset = Math.max(0, Math.trunc(filter.offset ?? 0));
    const rows = this.#ctx.sql.get(PAGE).all(...params, limit, offset);
    const count = this.#ctx.sql.get(COUNT).get(...params);
    return { entries: rows.map(toEntry), total: Number(count?.n ?? 0) };
  }

  /** Every model that appears in the history, sorted (for a filter's choices). */
  models(): string[] {
    return this.#ctx.sql.get(MODELS).all().map((row) => row.model as string);
  }
}
