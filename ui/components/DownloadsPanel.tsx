/**
 * The downloads strip under both tabs of the model browser: each download with a live
 * progress bar (bytes, rate, time left) and Pause / Resume / Cancel. Hidden while empty.
 *
 * @module
 */
import type { JSX } from "preact";
import type { DownloadsStore } from "../stores/downloads.ts";
import { DownloadItem } from "./DownloadItem.tsx";

/** The downloads strip. */
export function DownloadsPanel({ downloads }: { downloads: DownloadsStore }): JSX.Element | null {
  const list = downloads.list.value;
  if (list.length === 0) return null;
  return (
    <section class="downloads" aria-label="Downloads">
      <h3 class="section-title">Downloads</h3>
      <ul class="download-list">
        {list.map((download) => (
          <DownloadItem key={download.id} download={download} downloads={downloads} />
        ))}
      </ul>
    </section>
  );
}
