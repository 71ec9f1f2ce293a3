/**
 * The welcome screen's suggested models: name, size, memory fit, and Download (then its
 * progress, then Load). Shown while the tiny bundled demo model (or none) is what would answer.
 *
 * The fit here is an estimate from the file size and this machine's available memory, not the
 * hub's header simulation the Models dialog runs: the welcome screen must work offline and
 * must not reach the hub before the user asks for something from it.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { formatBytes } from "../lib/format.ts";
import { STAFF_PICKS, type StaffPick } from "../lib/staff_picks.ts";
import type { Stores } from "../stores/app.ts";
import { findDownload } from "../stores/downloads.ts";
import { FIT_LABELS } from "../lib/model_labels.ts";

/** The list of suggested models. */
export function StaffPicks({ stores }: { stores: Stores }): JSX.Element {
  useEffect(() => void stores.resources.refresh(), []);
  return (
    <section class="staff-picks" aria-labelledby="staff-picks-title">
      <h2 id="staff-picks-title">Small models to start with</h2>
      <ul>
        {STAFF_PICKS.map((pick) => <PickRow key={pick.file} pick={pick} stores={stores} />)}
      </ul>
    </section>
  );
}

function PickRow({ pick, stores }: { pick: StaffPick; stores: Stores }): JSX.Element {
  const { downloads, models } = stores;
  const download = findDownload(downloads.list.value, pick.repo, pick.file);
  const local = models.list.value.find((m) =>
    m.hf_repo === pick.repo && m.path.endsWith(pick.file)
  );
  const free = stores.resources.data.value?.ram_free_bytes;
  const loaded = local && models.loaded.value?.path === local.path;
  let action: JSX.Element;
  if (loaded) action = <span class="pick-state">Loaded</span>;
  else if (local) {
    action = (
      <button type="button" class="button primary" onClick={() => models.load(local.path)}>
        Load
      </button>
    );
  } else if (download && (download.state === "downloading" || download.state === "queued")) {
    const percent = download.total_bytes
      ? Math.floor((download.downloaded_bytes / download.total_bytes) * 100)
      : 0;
    action = <span class="pick-state" role="status">Downloading… {percent}%</span>;
  } else {
    action = (
      <button
        type="button"
        class="button"
        aria-label={`Download ${pick.name}`}
        onClick={() => downloads.start(pick.repo, pick.file)}
      >
        {download?.state === "error" ? "Retry" : "Download"}
      </button>
    );
  }
  return (
    <li class="pick" data-repo={pick.repo}>
      <div class="pick-text">
        <strong>{pick.name}</strong>
        <span class="muted">{pick.blurb}</span>
        {download?.state === "error" && download.error && (
          <span class="pick-error">{download.error}</span>
        )}
      </div>
      <span class="pick-size">{formatBytes(pick.sizeBytes)}</span>
      {free !== undefined && <FitEstimate sizeBytes={pick.sizeBytes} freeBytes={free} />}
      {action}
    </li>
  );
}

/**
 * A rough allowance for what a small model needs beyond its file (KV cache and compute buffers
 * at a few thousand tokens of context): 25 % of the file plus 150 MB. The Models dialog's fit
 * badge gives the exact figure from the file's header once the user browses the hub.
 */
function neededBytes(sizeBytes: number): number {
  return sizeBytes * 1.25 + 150e6;
}

function FitEstimate(props: { sizeBytes: number; freeBytes: number }): JSX.Element {
  const need = neededBytes(props.sizeBytes);
  const verdict = need <= props.freeBytes * 0.8
    ? "fits"
    : need <= props.freeBytes
    ? "tight"
    : "does-not-fit";
  const title = `About ${formatBytes(need)} needed; ${formatBytes(props.freeBytes)} available`;
  return <span class={`fit-badge ${verdict}`} title={title}>{FIT_LABELS[verdict]}</span>;
}
