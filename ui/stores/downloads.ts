/**
 * Hub downloads: the queue the server runs, kept current by the `downloads` event (a progress
 * step at most 4 times a second, and every state change), with pause, resume and cancel.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Download } from "../../api/types.ts";
import type { Toasts } from "./toasts.ts";

/** A download that will still move: it can be paused, resumed or cancelled. */
export function isActive(download: Download): boolean {
  return download.state === "queued" || download.state === "downloading" ||
    download.state === "paused" || download.state === "error";
}

/** The newest download of `file` in `repo` among `downloads`, or null. */
export function findDownload(
  downloads: Iterable<Download>,
  repo: string,
  file: string,
): Download | null {
  return [...downloads].findLast((d) => d.repo === repo && d.file === file) ?? null;
}

/** The downloads store; `onDone` runs once per download that finishes (refresh the library). */
export const DownloadsModel = createModel(
  (api: Api, toasts: Toasts, onDone: (download: Download) => void) => {
    /** By id, in the order they started. */
    const byId = signal<ReadonlyMap<string, Download>>(new Map());
    /** Finished or cancelled downloads the user cleared from the list. */
    const cleared = signal<ReadonlySet<string>>(new Set());
    const list = computed(() => [...byId.value.values()].filter((d) => !cleared.value.has(d.id)));
    const activeCount = computed(() => list.value.filter(isActive).length);

    /** Events received per download id: tells whether an answer is older than an event. */
    const eventCounts = new Map<string, number>();

    const put = (download: Download) => {
      const before = byId.value.get(download.id);
      byId.value = new Map(byId.value).set(download.id, download);
      if (download.state === "done" && before?.state !== "done") {
        toasts.show({ text: `Downloaded ${baseName(download.file)}`, kind: "info" });
        onDone(download);
      }
    };
    const onDownload = (download: Download) => {
      eventCounts.set(download.id, (eventCounts.get(download.id) ?? 0) + 1);
      put(download);
    };
    /**
     * Runs an action and applies its answer, unless an event about that download came in
     * meanwhile: the server sends events as it goes (a pause ends after its answer was
     * written), so such an event is newer than the answer.
     */
    const act = async (id: string | null, call: () => Promise<Download>) => {
      const seen = id === null ? 0 : eventCounts.get(id) ?? 0;
      try {
        const answer = await call();
        if ((eventCounts.get(answer.id) ?? 0) === seen) put(answer);
      } catch (error) {
        toasts.error(error);
      }
    };
    const refresh = async () => {
      const seen = new Map(eventCounts);
      try {
        const { downloads } = await api.listDownloads();
        const next = new Map(byId.value);
        for (const d of downloads) {
          if ((eventCounts.get(d.id) ?? 0) === (seen.get(d.id) ?? 0)) next.set(d.id, d);
        }
        byId.value = next;
      } catch (error) {
        toasts.error(error);
      }
    };
    const start = (repo: string, file: string) => act(null, () => api.startDownload(repo, file));
    const pause = (id: string) => act(id, () => api.pauseDownload(id));
    const resume = (id: string) => act(id, () => api.resumeDownload(id));
    const cancel = async (id: string) => {
      try {
        await api.cancelDownload(id);
      } catch (error) {
        return toasts.error(error);
      }
      const current = byId.value.get(id);
      if (current) put({ ...current, state: "cancelled" });
      clear(id);
    };
    /** Hides a finished, failed or cancelled download from the list. */
    const clear = (id: string) => {
      cleared.value = new Set(cleared.value).add(id);
    };
    return {
      byId,
      list,
      activeCount,
      onDownload,
      refresh,
      start,
      pause,
      resume,
      cancel,
      clear,
    };
  },
);

/** An instance of {@link DownloadsModel}. */
export type DownloadsStore = InstanceType<typeof DownloadsModel>;

function baseName(path: string): string {
  return path.split("/").pop() ?? path;
}
