/**
 * One page of the generation history: each reply or sheet job with its model, settings and
 * metrics, newest first, and the pager under it.
 *
 * @module
 */
import type { JSX } from "preact";
import type { HistoryEntry } from "../../api/history_json.ts";
import { HISTORY_PAGE_SIZE, type HistoryStore } from "../stores/history.ts";
import { fileName } from "../lib/bench_series.ts";
import { formatCount, formatMs, formatRate, formatWhen } from "../lib/format.ts";

/** The settings an entry ran with, short: "temp 0.7 · top_k 40 · max 256 · n_ctx 4096". */
function settingsOf(e: HistoryEntry): string {
  const s = e.sampling;
  const parts = [
    s.temperature !== undefined && `temp ${s.temperature}`,
    s.top_k !== undefined && `top_k ${s.top_k}`,
    s.top_p !== undefined && `top_p ${s.top_p}`,
    s.min_p !== undefined && `min_p ${s.min_p}`,
    s.max_tokens !== undefined && `max ${s.max_tokens}`,
    e.n_ctx !== null && `n_ctx ${e.n_ctx}`,
    s.seed !== undefined && `seed ${s.seed}`,
  ];
  return parts.filter(Boolean).join(" · ");
}

const num = (v: number | null, f: (n: number) => string) => v === null ? "–" : f(v);

/** Props of {@link HistoryTable}. */
export type HistoryTableProps = {
  history: HistoryStore;
  /** Opens a reply's chat (the entry's `source_id`). */
  onOpenChat(chatId: string): void;
};

/** The table and pager. */
export function HistoryTable({ history, onOpenChat }: HistoryTableProps): JSX.Element {
  const entries = history.entries.value;
  const total = history.total.value;
  const from = history.offset.value;
  if (entries.length === 0) {
    return <p class="list-empty">{history.loading.value ? "Loading…" : "Nothing matches"}</p>;
  }
  return (
    <>
      <table class="history-table" aria-label="Generations">
        <thead>
          <tr>
            <th>When</th>
            <th>Kind</th>
            <th>Model</th>
            <th>Chat or sheet</th>
            <th>Settings</th>
            <th>Tokens in / out</th>
            <th>TTFT</th>
            <th>Speed</th>
            <th>Duration</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} class="history-entry" data-kind={e.kind}>
              <td title={new Date(e.created_at).toLocaleString()}>{formatWhen(e.created_at)}</td>
              <td>{e.kind === "reply" ? "Reply" : `Sheet job (${e.rows} rows)`}</td>
              <td title={e.model ?? ""}>
                {e.model ? fileName(e.model) : "–"}
                {e.provider && ` (${e.provider})`}
              </td>
              <td title={e.preview}>
                {e.kind === "reply"
                  ? (
                    <button type="button" class="link" onClick={() => onOpenChat(e.source_id)}>
                      {e.title}
                    </button>
                  )
                  : e.title}
              </td>
              <td>{settingsOf(e)}</td>
              <td>
                {`${num(e.metrics.prompt_tokens, formatCount)} / ${
                  num(e.metrics.completion_tokens, formatCount)
                }`}
              </td>
              <td>{num(e.metrics.ttft_ms, formatMs)}</td>
              <td>{num(e.metrics.gen_tok_per_sec, formatRate)}</td>
              <td>{num(e.metrics.duration_ms, formatMs)}</td>
              <td title={e.error ?? ""}>{e.finish_reason ?? e.state}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="history-pager">
        <button type="button" disabled={from === 0} onClick={() => history.turn(-1)}>
          Newer
        </button>
        <span aria-live="polite">
          {`${from + 1}–${Math.min(total, from + HISTORY_PAGE_SIZE)} of ${total}`}
        </span>
        <button
          type="button"
          disabled={from + HISTORY_PAGE_SIZE >= total}
          onClick={() => history.turn(1)}
        >
          Older
        </button>
      </div>
    </>
  );
}
