/**
 * Memory, CPU and generation speed, polled from `/api/resources` while someone looks: the
 * resource panel is open and the window is visible. Polling a hidden panel would only wake
 * the server every second for nothing.
 *
 * @module
 */
import { createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Resources } from "../../api/types.ts";

/** Poll period in milliseconds: the server samples tok/s once a second. */
export const RESOURCES_POLL_MS = 1000;

/** The resources store; polling follows `watched` (panel open) and `pageVisible`. */
export const ResourcesModel = createModel(
  (api: Api, watched: ReadonlySignal<boolean>, pollMs: number = RESOURCES_POLL_MS) => {
    const data = signal<Resources | null>(null);
    const error = signal<string | null>(null);
    const pageVisible = signal(true);
    const poll = async () => {
      try {
        data.value = await api.resources();
        error.value = null;
      } catch (err) {
        error.value = err instanceof Error ? err.message : String(err);
      }
    };
    // Owned by the model: disposing the model stops the timer.
    effect(() => {
      if (!watched.value || !pageVisible.value) return;
      poll();
      const timer = setInterval(poll, pollMs);
      return () => clearInterval(timer);
    });
    const setPageVisible = (visible: boolean) => {
      pageVisible.value = visible;
    };
    /** Reads the resources once now (the welcome screen's fit, without the panel open). */
    const refresh = () => poll();
    return { data, error, pageVisible, setPageVisible, refresh };
  },
);

/** An instance of {@link ResourcesModel}. */
export type ResourcesStore = InstanceType<typeof ResourcesModel>;
