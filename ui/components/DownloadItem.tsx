/**
 * One download: file and repository, a progress bar, "bytes of total · rate · time left", and
 * the buttons its state allows (Pause while running, Resume when paused or failed, Cancel
 * until done, Clear once it is over).
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes, formatEta } from "../lib/format.ts";
import type { DownloadsStore } from "../stores/downloads.ts";
import type { Download } from "../../api/types.ts";
import { ProgressBar } from "./ProgressBar.tsx";

/** Props of {@link DownloadItem}. */
export type DownloadItemProps = { download: Download; downloads: DownloadsStore };

const STATE_LABELS: Record<Download["state"], string> = {
  queued: "Queued",
  downloading: "Downloading",
  paused: "Paused",
  done: "Done",
  error: "Failed",
  cancelled: "Cancelled",
};

/** A download row. */
export function DownloadItem({ download: d, downloads }: DownloadItemProps): JSX.Element {
  const name = d.file.split("/").pop() ?? d.file;
  const ratio = d.total_bytes ? Math.min(1, d.downloaded_bytes / d.total_bytes) : 0;
  const over = d.state === "done" || d.state === "cancelled";
  const detail = d.state === "downloading"
    ? [
      `${formatBytes(d.downloaded_bytes)} of ${d.total_bytes ? formatBytes(d.total_bytes) : "?"}`,
      `${formatBytes(d.bytes_per_second)}/s`,
      `${formatEta(d.eta_seconds)} left`,
    ].join(" · ")
    : d.state === "error"
    ? d.error ?? "Failed"
    : `${STATE_LABELS[d.state]} · ${formatBytes(d.downloaded_bytes)}${
      d.total_bytes ? ` of ${formatBytes(d.total_bytes)}` : ""
    }`;
  return (
    <li class={`download ${d.state}`} data-id={d.id}>
      <div class="download-info">
        <div class="download-head">
          <span class="download-name" title={`${d.repo}/${d.file}`}>{name}</span>
          <span class="muted download-repo">{d.repo}</span>
        </div>
        <ProgressBar label={`Download of ${name}`} ratio={ratio} />
        <span class={`download-detail ${d.state === "error" ? "error" : ""}`}>{detail}</span>
      </div>
      <div class="download-buttons">
        {(d.state === "downloading" || d.state === "queued") && (
          <button
            type="button"
            class="button"
            onClick={() => downloads.pause(d.id)}
          >
            Pause
          </button>
        )}
        {(d.state === "paused" || d.state === "error") && (
          <button
            type="button"
            class="button"
            onClick={() => downloads.resume(d.id)}
          >
            Resume
          </button>
        )}
        {!over && (
          <button type="button" class="button" onClick={() => downloads.cancel(d.id)}>
            Cancel
          </button>
        )}
        {(over || d.state === "error") && (
          <button
            type="button"
            class="button"
            onClick={() => downloads.clear(d.id)}
          >
            Clear
          </button>
        )}
      </div>
    </li>
  );
}
