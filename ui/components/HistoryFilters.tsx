/**
 * The history's filter bar: kind, model, text and a day range. Each change shows the first page
 * of what matches.
 *
 * @module
 */
import type { JSX } from "preact";
import type { HistoryStore } from "../stores/history.ts";
import { fileName } from "../lib/bench_series.ts";

/** The filter bar. */
export function HistoryFilters({ history }: { history: HistoryStore }): JSX.Element {
  const f = history.filter.value;
  const value = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
  return (
    <div class="history-filters" role="search" aria-label="Filter the history">
      <input
        type="search"
        placeholder="Text, chat or sheet…"
        aria-label="Text"
        value={f.text}
        onInput={(e) => history.setFilter({ text: value(e) })}
      />
      <select
        aria-label="Kind"
        value={f.kind}
        onChange={(e) => history.setFilter({ kind: value(e) as typeof f.kind })}
      >
        <option value="">Replies and sheet jobs</option>
        <option value="reply">Replies</option>
        <option value="sheet_job">Sheet jobs</option>
      </select>
      <select
        aria-label="Model"
        value={f.model}
        onChange={(e) => history.setFilter({ model: value(e) })}
      >
        <option value="">Every model</option>
        {history.models.value.map((m) => <option key={m} value={m}>{fileName(m)}</option>)}
      </select>
      <label>
        From{" "}
        <input type="date" value={f.from} onChange={(e) => history.setFilter({ from: value(e) })} />
      </label>
      <label>
        To <input type="date" value={f.to} onChange={(e) => history.setFilter({ to: value(e) })} />
      </label>
      <button type="button" class="link" onClick={history.clearFilter}>Clear</button>
    </div>
  );
}
