/**
 * The Generation history dialog's state: the filter (kind, model, text, day range), the page
 * of entries it shows, and the saved bench runs. Loads only while the dialog is open: the
 * history is read on demand, never followed live.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import type { BenchRun, HistoryEntry, HistoryKind } from "../../api/history_json.ts";
import type { HistoryApi } from "../history_api.ts";
import type { Toasts } from "./toasts.ts";

/** Entries per page. */
export const HISTORY_PAGE_SIZE = 25;

/** The dialog's tabs. */
export type HistoryTab = "generations" | "bench";

/** What the user filters by; empty strings mean "any". */
export interface HistoryFilterState {
  kind: HistoryKind | "";
  model: string;
  text: string;
  /** First day shown, "YYYY-MM-DD" (local time), or "". */
  from: string;
  /** Last day shown, "YYYY-MM-DD" (local time), or "". */
  to: string;
}

const NO_FILTER: HistoryFilterState = { kind: "", model: "", text: "", from: "", to: "" };

/** Local midnight of a "YYYY-MM-DD" day, ms since the epoch; `next` gives the day after's. */
function dayStart(day: string, next = false): number | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + (next ? 1 : 0)).getTime();
}

/** The history store. */
export const HistoryModel = createModel((api: HistoryApi, toasts: Toasts) => {
  const tab = signal<HistoryTab>("generations");
  const filter = signal<HistoryFilterState>(NO_FILTER);
  const entries = signal<HistoryEntry[]>([]);
  const total = signal(0);
  const offset = signal(0);
  const loading = signal(false);
  const models = signal<string[]>([]);
  const runs = signal<BenchRun[]>([]);
  let asked = 0; // the latest load: older answers arriving late are dropped

  const load = async () => {
    const ticket = ++asked;
    loading.value = true;
    const f = filter.value;
    try {
      const page = await api.history({
        kind: f.kind || undefined,
        model: f.model || undefined,
        text: f.text.trim() || undefined,
        since: dayStart(f.from),
        until: dayStart(f.to, true),
        limit: HISTORY_PAGE_SIZE,
        offset: offset.value,
      });
      if (ticket !== asked) return;
      entries.value = page.entries;
      total.value = page.total;
    } catch (error) {
      if (ticket === asked) toasts.error(error);
    } finally {
      if (ticket === asked) loading.value = false;
    }
  };
  const loadBench = async () => {
    try {
      runs.value = (await api.benchRuns()).runs;
    } catch (error) {
      toasts.error(error);
    }
  };
  /** Loads the first page, the model choices and the bench runs (the dialog opened). */
  const open = async () => {
    offset.value = 0;
    await Promise.all([
      load(),
      loadBench(),
      api.historyModels().then((answer) => models.value = answer.models, toasts.error),
    ]);
  };
  /** Changes part of the filter and shows its first page. */
  const setFilter = (patch: Partial<HistoryFilterState>) => {
    filter.value = { ...filter.value, ...patch };
    offset.value = 0;
    return load();
  };
  const clearFilter = () => setFilter(NO_FILTER);
  /** Moves `pages` pages (negative: back), within the results. */
  const turn = (pages: number) => {
    const next = offset.value + pages * HISTORY_PAGE_SIZE;
    if (next < 0 || next >= total.value) return Promise.resolve();
    offset.value = next;
    return load();
  };
  const removeRun = async (id: string) => {
    try {
      await api.deleteBenchRun(id);
      runs.value = runs.value.filter((run) => run.id !== id);
    } catch (error) {
      toasts.error(error);
    }
  };
  const setTab = (name: HistoryTab) => {
    tab.value = name;
  };
  return {
    tab,
    filter,
    entries,
    total,
    offset,
    loading,
    models,
    runs,
    open,
    setFilter,
    clearFilter,
    turn,
    removeRun,
    setTab,
  };
});

/** An instance of {@link HistoryModel}. */
export type HistoryStore = InstanceType<typeof HistoryModel>;
