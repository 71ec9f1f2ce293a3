/**
 * A library file's actions: show it in the file manager, verify its sha256 (ok or mismatch),
 * delete it (the caller asks first). The bundled model and the loaded one are not deleted.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatDate } from "../lib/format.ts";
import type { LibraryStore, VerifyState } from "../stores/library.ts";
import type { LibraryEntry } from "../../api/types.ts";

/** Props of {@link LibraryActions}. */
export type LibraryActionsProps = {
  entry: LibraryEntry;
  library: LibraryStore;
  loaded: boolean;
  onDelete(): void;
};

/** The action links under a library row. */
export function LibraryActions({ entry, library, loaded, onDelete }: LibraryActionsProps) {
  const verify = library.verifications.value.get(entry.id);
  const keep = entry.bundled ? "The bundled model stays" : loaded ? "Unload it first" : undefined;
  return (
    <div class="model-actions">
      <button
        type="button"
        class="link"
        aria-label={`Reveal ${entry.name}`}
        onClick={() => library.reveal(entry.id)}
      >
        Reveal
      </button>
      <button
        type="button"
        class="link"
        aria-label={`Verify ${entry.name}`}
        disabled={verify?.status === "running"}
        onClick={() => library.verify(entry.id)}
      >
        Verify
      </button>
      <button
        type="button"
        class="link danger"
        aria-label={`Delete ${entry.name}`}
        title={keep}
        disabled={!!keep}
        onClick={onDelete}
      >
        Delete
      </button>
      <VerifyNote state={verify} verifiedAt={entry.verified_at} />
    </div>
  );
}

function VerifyNote(
  { state, verifiedAt }: { state?: VerifyState; verifiedAt: number | null },
): JSX.Element | null {
  if (!state) {
    return verifiedAt ? <span class="verify-note">Verified {formatDate(verifiedAt)}</span> : null;
  }
  if (state.status === "running") return <span class="verify-note">Hashing…</span>;
  if (state.status === "error") return <span class="verify-note bad">{state.message}</span>;
  const short = (hash: string) => hash.slice(0, 12);
  if (!state.ok) {
    return (
      <span class="verify-note bad" role="status">
        Mismatch: sha256 {short(state.sha256)}, expected {short(state.expected_sha256 ?? "")}
      </span>
    );
  }
  if (!state.expected_sha256) {
    // Nothing to compare with (a file from a folder, not from the hub): hashing proves nothing.
    return (
      <span class="verify-note" role="status" title={state.sha256}>
        No reference hash to check against; sha256 {short(state.sha256)}
      </span>
    );
  }
  return (
    <span class="verify-note ok" role="status" title={state.sha256}>
      OK: sha256 matches
    </span>
  );
}
