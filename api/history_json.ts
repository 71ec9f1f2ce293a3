/**
 * The generation history part of the UI API (docs/ui-api.md, "Generation history and bench
 * runs"): the wire shapes of `/api/history` and `/api/bench-runs`. They are the storage's own
 * types, imported as types only, so the server and the UI cannot drift apart.
 *
 * @module
 */
export type {
  BenchParams,
  BenchRun,
  BenchTestResult,
  HistoryEntry,
  HistoryKind,
  HistoryMetrics,
} from "../storage/mod.ts";
import type { HistoryEntry } from "../storage/mod.ts";

/** `GET /api/history`: one page, newest first. */
export interface HistoryPageJson {
  entries: HistoryEntry[];
  /** Entries matching the filter on every page. */
  total: number;
  /** The page size used. */
  limit: number;
  /** Entries skipped before this page. */
  offset: number;
}
