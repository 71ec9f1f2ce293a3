/**
 * The Hugging Face token as Settings shows it: only where the token in use comes from
 * (typed in Settings, `HF_TOKEN`, or none); the token is write-only.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { HubTokenSource } from "../../api/types.ts";
import type { Toasts } from "./toasts.ts";

/** The hub token store. */
export const HubTokenModel = createModel((api: Api, toasts: Toasts) => {
  /** Where the token comes from; undefined until asked. */
  const source = signal<HubTokenSource | undefined>(undefined);
  const refresh = async () => {
    try {
      source.value = (await api.hubToken()).source;
    } catch (error) {
      toasts.error(error);
    }
  };
  /** Saves a token (null removes it); resolves true when saved. */
  const set = async (token: string | null): Promise<boolean> => {
    try {
      source.value = (await api.setHubToken(token)).source;
      toasts.show({ kind: "info", text: token ? "Hugging Face token saved" : "Token removed" });
      return true;
    } catch (error) {
      toasts.error(error);
      return false;
    }
  };
  return { source, refresh, set };
});

/** An instance of {@link HubTokenModel}. */
export type HubTokenStore = InstanceType<typeof HubTokenModel>;
