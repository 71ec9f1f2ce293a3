/**
 * The header's downloads indicator: while files download (or wait their turn), how many and
 * how far along all of them are together, outside the Models dialog; a click opens the
 * dialog, whose strip lists each download with pause, resume and cancel.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes, formatEta } from "../lib/format.ts";
import type { Stores } from "../stores/app.ts";
import { Icon } from "./icons.tsx";

/** The indicator; nothing while no download runs or waits. */
export function DownloadsIndicator({ stores }: { stores: Stores }): JSX.Element | null {
  const running = stores.downloads.list.value.filter((d) =>
    d.state === "downloading" || d.state === "queued"
  );
  if (running.length === 0) return null;
  const done = running.reduce((sum, d) => sum + d.downloaded_bytes, 0);
  const total = running.every((d) => d.total_bytes !== null)
    ? running.reduce((sum, d) => sum + d.total_bytes!, 0)
    : null;
  const percent = total ? Math.floor((done / total) * 100) : null;
  const eta = Math.max(...running.map((d) => d.eta_seconds ?? 0));
  const label = `${running.length} download${running.length > 1 ? "s" : ""}` +
    (percent !== null ? `, ${percent}%` : "") +
    (total ? ` of ${formatBytes(total)}` : "") + (eta ? `, ${formatEta(eta)} left` : "");
  return (
    <button
      type="button"
      class="downloads-indicator"
      aria-label={`${label}. Show downloads`}
      title={label}
      onClick={() => stores.view.openDialog("models")}
    >
      <Icon name="download" size={16} />
      <span class="downloads-count">{running.length}</span>
      {percent !== null && <span class="downloads-percent">{percent}%</span>}
      <span class="downloads-bar" role="progressbar" aria-valuenow={percent ?? undefined}>
        <span style={{ width: `${percent ?? 0}%` }} />
      </span>
    </button>
  );
}
