/**
 * The UI's client of the generation history and bench runs (docs/ui-api.md, "Generation
 * history and bench runs"): `/api/history` and `/api/bench-runs`, JSON over `fetch`.
 *
 * @module
 */
import type { BenchRun, HistoryKind, HistoryPageJson } from "../api/history_json.ts";
import { ApiError, errorOf } from "./api.ts";

/** A history query: every field optional; times are ms since the epoch. */
export interface HistoryQuery {
  kind?: HistoryKind;
  model?: string;
  text?: string;
  since?: number;
  until?: number;
  /** Entries per page, 1..200. */
  limit?: number;
  offset?: number;
}

/** The client: one method per route. */
export type HistoryApi = ReturnType<typeof createHistoryApi>;

/**
 * Creates the client.
 *
 * @param base URL prefix of the server, "" for the page's own origin
 * @returns methods that resolve with the wire shapes and reject with {@link ApiError}
 */
export function createHistoryApi(base = "") {
  const json = async <T>(method: string, path: string): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(base + path, { method, credentials: "same-origin" });
    } catch (cause) {
      throw new ApiError(0, "network", `Cannot reach the Hearth server: ${String(cause)}`);
    }
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    /** One page of replies and sheet jobs, newest first. */
    history: (query: HistoryQuery = {}) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== "") params.set(key, String(value));
      }
      const search = params.size ? `?${params}` : "";
      return json<HistoryPageJson>("GET", `/api/history${search}`);
    },
    /** The models the history names. */
    historyModels: () => json<{ models: string[] }>("GET", "/api/history/models"),
    /** Saved bench runs, newest first. */
    benchRuns: () => json<{ runs: BenchRun[] }>("GET", "/api/bench-runs"),
    /** Deletes a saved bench run. */
    deleteBenchRun: (id: string) =>
      json<void>("DELETE", `/api/bench-runs/${encodeURIComponent(id)}`),
  };
}
