/**
 * The app's OpenAI-compatible server: its status (`GET /api/openai-server`, then the
 * `openai_server` event) and the action that changes its settings.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { OpenAiServerPatch, OpenAiServerStatus } from "../../api/types.ts";
import type { SettingsStore } from "./settings.ts";
import type { Toasts } from "./toasts.ts";

/** The OpenAI server store: `status` (null until read), `refresh`, `onStatus`, `configure`. */
export const OpenAiServerModel = createModel(
  (api: Api, toasts: Toasts, settings: SettingsStore) => {
    const status = signal<OpenAiServerStatus | null>(null);
    const refresh = async () => {
      try {
        status.value = await api.openAiServer();
      } catch (error) {
        toasts.error(error);
      }
    };
    const onStatus = (next: OpenAiServerStatus) => {
      status.value = next;
    };
    /**
     * Saves `patch` (shown at once, rolled back if saving fails). The server starts, restarts
     * or stops before the answer, so the status read after it is current.
     */
    const configure = async (patch: OpenAiServerPatch) => {
      const before = settings.settings.value;
      if (before) {
        const { api_key, ...fields } = patch;
        const api_key_set = api_key === undefined ? before.openai_server.api_key_set : !!api_key;
        settings.set({
          ...before,
          openai_server: { ...before.openai_server, ...fields, api_key_set },
        });
      }
      try {
        settings.set(await api.patchSettings({ openai_server: patch }));
        status.value = await api.openAiServer();
      } catch (error) {
        if (before) settings.set(before);
        toasts.error(error);
      }
    };
    return { status, refresh, onStatus, configure };
  },
);

/** An instance of {@link OpenAiServerModel}. */
export type OpenAiServerStore = InstanceType<typeof OpenAiServerModel>;
