/**
 * One library file: what it is (name, architecture, quantization, parameters, size, context,
 * chat template, license, where it came from), its memory fit, Load (with progress), and the
 * file actions. A broken file shows why and cannot be loaded; nor can a vocabulary or vision
 * projector file.
 *
 * @module
 */
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import { formatBytes, formatCount, formatParams } from "../lib/format.ts";
import { KIND_LABELS, SOURCE_LABELS } from "../lib/model_labels.ts";
import { useOnVisible } from "../lib/visible.ts";
import { fitKey, isChatModel, type LibraryStore } from "../stores/library.ts";
import type { LibraryEntry } from "../../api/types.ts";
import { FitBadge } from "./FitBadge.tsx";
import { LibraryActions } from "./LibraryActions.tsx";
import { ProgressBar } from "./ProgressBar.tsx";

/** Props of {@link LibraryRow}. */
export type LibraryRowProps = {
  entry: LibraryEntry;
  library: LibraryStore;
  loaded: boolean;
  /** Progress 0..1 when this file is loading, else null. */
  loading: number | null;
  /** Some model is loading: loads are one at a time. */
  busy: boolean;
  onLoad(): void;
  onDelete(): void;
};

/** A library row. */
export function LibraryRow(props: LibraryRowProps): JSX.Element {
  const { entry, library, loading } = props;
  const row = useRef<HTMLLIElement>(null);
  const loadable = isChatModel(entry);
  const nCtx = library.nCtx.value;
  const fit = library.fits.value.get(fitKey(entry.id, nCtx));
  // `!fit`: an estimate dropped after the file changed is asked again while the row shows.
  useOnVisible(row, () => loadable && library.requestFit(entry.id), [
    entry.id,
    nCtx,
    loadable,
    !fit,
  ]);
  const facts = [
    entry.architecture,
    entry.quantization,
    entry.n_params ? formatParams(entry.n_params) : null,
    formatBytes(entry.size_bytes),
    entry.context_length ? `${formatCount(entry.context_length)} ctx` : null,
    loadable ? (entry.has_chat_template ? "chat template" : "no chat template") : null,
    entry.license,
  ].filter(Boolean);
  const origin = [SOURCE_LABELS[entry.source], entry.hf_repo].filter(Boolean).join(" · ");
  return (
    <li
      ref={row}
      class={`model-row ${entry.broken_reason ? "broken" : ""}`}
      aria-current={props.loaded ? "true" : undefined}
      data-id={entry.id}
    >
      <div class="model-info">
        <span class="model-row-name" title={entry.path}>
          {entry.name}
          {entry.kind !== "model" && <span class="tag">{KIND_LABELS[entry.kind]}</span>}
        </span>
        <span class="model-facts">{facts.join(" · ")}</span>
        <span class="model-origin" title={entry.path}>{origin}</span>
        {entry.broken_reason && <span class="model-error" role="note">{entry.broken_reason}</span>}
        {loading !== null && <ProgressBar label={`Loading ${entry.name}`} ratio={loading} />}
        <LibraryActions
          entry={entry}
          library={library}
          loaded={props.loaded}
          onDelete={props.onDelete}
        />
      </div>
      <div class="model-side">
        {loadable && <FitBadge state={fit} />}
        {props.loaded ? <span class="badge">Loaded</span> : (
          <button
            type="button"
            class="button primary"
            disabled={!loadable || props.busy}
            aria-label={`Load ${entry.name}`}
            onClick={props.onLoad}
          >
            {loading !== null ? `${Math.round(loading * 100)}%` : "Load"}
          </button>
        )}
      </div>
    </li>
  );
}
