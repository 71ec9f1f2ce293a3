/**
 * One GGUF file of a hub repository: quantization, file, size, parts, short sha256, its memory
 * fit (asked when the row comes into view; the server reads the header with HTTP ranges), and
 * Download, or where its download is. Details opens a row below with what the file's header
 * says (HubFileDetails.tsx).
 *
 * @module
 */
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import { formatBytes } from "../lib/format.ts";
import { useOnVisible } from "../lib/visible.ts";
import { hubFileKey, type HubStore } from "../stores/hub.ts";
import { fitKey } from "../stores/library.ts";
import type { Download, HubFile } from "../../api/types.ts";
import { FitBadge } from "./FitBadge.tsx";
import { HubFileDetails } from "./HubFileDetails.tsx";

/** Columns of the file table, for the details row's span. */
const COLUMNS = 7;

/** Props of {@link HubFileRow}. */
export type HubFileRowProps = {
  repo: string;
  file: HubFile;
  hub: HubStore;
  /** The file the server recommends (a mid-size quantization). */
  recommended: boolean;
  download: Download | null;
  inLibrary: boolean;
  onDownload(): void;
};

/** A file row, and its details row when opened. */
export function HubFileRow(props: HubFileRowProps): JSX.Element {
  const { repo, file, hub } = props;
  const row = useRef<HTMLTableRowElement>(null);
  const [open, setOpen] = useState(false);
  const nCtx = hub.nCtx.value;
  const key = hubFileKey(repo, file.path);
  const fit = hub.fits.value.get(fitKey(key, nCtx));
  const detailsId = `details-${key.replace(/\W+/g, "-")}`;
  useOnVisible(row, () => !file.is_mmproj && hub.requestFit(repo, file.path), [key, nCtx, !fit]);
  const toggle = () => {
    if (!open) hub.requestMetadata(repo, file.path);
    setOpen(!open);
  };
  return (
    <>
      <tr ref={row} class={props.recommended ? "recommended" : undefined} data-file={file.path}>
        <td class="quant">{file.quant ?? "–"}</td>
        <td class="file-path" title={file.path}>
          <span>{file.path}</span>
          {props.recommended && <span class="tag">Recommended</span>}
          {file.is_mmproj && <span class="tag">Vision projector</span>}
          <button
            type="button"
            class="link file-details-toggle"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`Details of ${file.path}`}
            onClick={toggle}
          >
            Details
          </button>
        </td>
        <td class="num">{formatBytes(file.size_bytes)}</td>
        <td class="num">{file.parts}</td>
        <td title={file.sha256 ?? undefined}>
          <code>{file.sha256 ? file.sha256.slice(0, 8) : "–"}</code>
        </td>
        <td>{!file.is_mmproj && <FitBadge state={fit} />}</td>
        <td class="file-action">
          <DownloadCell {...props} />
        </td>
      </tr>
      {open && (
        <tr class="file-details" id={detailsId}>
          <td colSpan={COLUMNS}>
            <HubFileDetails state={hub.metadata.value.get(key)} />
          </td>
        </tr>
      )}
    </>
  );
}

function DownloadCell({ file, download, inLibrary, onDownload }: HubFileRowProps) {
  const state = download?.state;
  if (state === "done" || (inLibrary && state !== "downloading")) {
    return <span class="badge">Downloaded</span>;
  }
  if (state === "queued" || state === "downloading" || state === "paused") {
    const pct = download!.total_bytes
      ? Math.floor((download!.downloaded_bytes / download!.total_bytes) * 100)
      : 0;
    return <span class="muted">{state === "queued" ? "Queued" : `${pct}%`}</span>;
  }
  return (
    <button
      type="button"
      class="button primary"
      aria-label={`Download ${file.path}`}
      onClick={onDownload}
    >
      Download
    </button>
  );
}
