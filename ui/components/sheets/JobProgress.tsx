/**
 * An AI column's newest job, live from the `sheets` events: state, rows done of total
 * (failed ones counted apart), rows/s, tok/s and the time left, with pause, resume,
 * cancel and "retry failed cells".
 *
 * @module
 */
import type { JSX } from "preact";
import type { SheetProgressJson } from "../../../api/sheets.ts";
import { formatCount, formatEta, formatRate } from "../../lib/format.ts";
import { IconButton } from "../IconButton.tsx";
import { ProgressBar } from "../ProgressBar.tsx";

/** Props of {@link JobProgress}. */
export type JobProgressProps = {
  columnName: string;
  progress: SheetProgressJson;
  onControl(action: "pause" | "resume" | "cancel"): void;
  onRetryFailed(): void;
};

/** One job's progress line. */
export function JobProgress(props: JobProgressProps): JSX.Element {
  const p = props.progress;
  const live = p.state === "running" || p.state === "paused";
  return (
    <div class="job-progress" data-state={p.state} aria-label={`Job of ${props.columnName}`}>
      <span class="job-name">{props.columnName}</span>
      <span class="job-state">{p.state}</span>
      <ProgressBar
        label={`${props.columnName} progress`}
        ratio={p.rows_total ? p.rows_done / p.rows_total : 0}
      />
      <span class="job-rows">
        {formatCount(p.rows_done)}/{formatCount(p.rows_total)} rows
      </span>
      {p.rows_failed > 0 && <span class="job-failed">{formatCount(p.rows_failed)} failed</span>}
      {/* Rates are measured by the process running the job: none for one seen afterwards. */}
      {(live || p.rows_per_s > 0) && (
        <>
          <span class="job-rate muted">{p.rows_per_s.toFixed(1)} rows/s</span>
          <span class="job-rate muted">{formatRate(p.tok_per_s)}</span>
        </>
      )}
      {live && <span class="job-eta muted">ETA {formatEta(p.eta_s)}</span>}
      {p.state === "running" && (
        <IconButton
          icon="pause"
          label="Pause"
          onClick={() => props.onControl("pause")}
        />
      )}
      {p.state === "paused" && (
        <IconButton
          icon="play"
          label="Resume"
          onClick={() => props.onControl("resume")}
        />
      )}
      {live && <IconButton icon="stop" label="Cancel" onClick={() => props.onControl("cancel")} />}
      {!live && p.rows_failed > 0 && (
        <button type="button" class="button" onClick={props.onRetryFailed}>
          Retry failed cells
        </button>
      )}
    </div>
  );
}
