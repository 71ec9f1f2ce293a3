/**
 * One model file in the picker: name, size, architecture, context length, and Load (with a
 * progress bar while loading). A file that failed validation shows why instead.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes, formatCount } from "../lib/format.ts";
import type { ModelEntry } from "../types.ts";

/** Props of {@link ModelRow}. */
export type ModelRowProps = {
  entry: ModelEntry;
  loaded: boolean;
  /** Progress 0..1 when this file is loading, else null. */
  loading: number | null;
  /** Some model is loading: loads are one at a time. */
  busy: boolean;
  onLoad(): void;
};

/** A model row. */
export function ModelRow({ entry, loaded, loading, busy, onLoad }: ModelRowProps): JSX.Element {
  const facts = [
    formatBytes(entry.size_bytes),
    entry.architecture,
    entry.context_length ? `${formatCount(entry.context_length)} ctx` : null,
    entry.bundled ? "bundled" : null,
    entry.has_chat_template ? null : "no chat template",
  ].filter(Boolean);
  return (
    <li
      class={`model-row ${entry.error ? "broken" : ""}`}
      aria-current={loaded ? "true" : undefined}
    >
      <div class="model-info">
        <span class="model-row-name" title={entry.path}>{entry.name}</span>
        <span class="model-facts">{facts.join(" · ")}</span>
        {entry.error && <span class="model-error" role="note">{entry.error}</span>}
        {loading !== null && (
          <div
            class="bar"
            role="progressbar"
            aria-label={`Loading ${entry.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(loading * 100)}
          >
            <div class="bar-fill" style={{ width: `${loading * 100}%` }} />
          </div>
        )}
      </div>
      {loaded ? <span class="badge">Loaded</span> : (
        <button
          type="button"
          class="button"
          disabled={!!entry.error || busy}
          aria-label={`Load ${entry.name}`}
          onClick={onLoad}
        >
          {loading !== null ? `${Math.round(loading * 100)}%` : "Load"}
        </button>
      )}
    </li>
  );
}
