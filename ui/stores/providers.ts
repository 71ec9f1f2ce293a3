/**
 * Remote providers (`/api/providers`): the list, each provider's models for the model picker,
 * and the actions of the settings' Providers section. Keys are write-only: the store only
 * knows where a provider's key comes from.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Preset, PresetId, Provider, ProviderPatch, ProviderTest } from "../../api/types.ts";
import type { Toasts } from "./toasts.ts";

/** The providers store. */
export const ProvidersModel = createModel((api: Api, toasts: Toasts) => {
  const list = signal<Provider[]>([]);
  const presets = signal<Partial<Record<PresetId, Preset>>>({});
  /** Model ids by provider name; a provider whose listing failed has none. */
  const models = signal<Record<string, string[]>>({});
  /** The last test of each provider, or its error message. */
  const tests = signal<Record<string, ProviderTest | string>>({});

  const loadModels = async (names: string[]) => {
    const entries = await Promise.all(names.map(async (name) => {
      try {
        return [name, (await api.providerModels(name)).models] as const;
      } catch {
        // An unreachable provider still lists; its models can be typed.
        return [name, []] as const;
      }
    }));
    models.value = Object.fromEntries(entries);
  };
  const refresh = async () => {
    try {
      const answer = await api.listProviders();
      list.value = answer.providers;
      presets.value = answer.presets;
      await loadModels(answer.providers.map((p) => p.name));
    } catch (error) {
      toasts.error(error);
    }
  };
  const save = async (name: string | null, fields: ProviderPatch) => {
    try {
      if (name === null) await api.addProvider(fields);
      else await api.patchProvider(name, fields);
      await refresh();
      return true;
    } catch (error) {
      toasts.error(error);
      return false;
    }
  };
  const remove = async (name: string) => {
    try {
      await api.removeProvider(name);
      await refresh();
    } catch (error) {
      toasts.error(error);
    }
  };
  const test = async (name: string) => {
    try {
      const result = await api.testProvider(name);
      tests.value = { ...tests.value, [name]: result };
      models.value = { ...models.value, [name]: result.models };
    } catch (error) {
      tests.value = { ...tests.value, [name]: (error as Error).message };
    }
  };
  return { list, presets, models, tests, refresh, save, remove, test };
});

/** An instance of {@link ProvidersModel}. */
export type ProvidersStore = InstanceType<typeof ProvidersModel>;
