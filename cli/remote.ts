/**
 * `-m NAME:MODEL` for `generate` and `chat`: when NAME is a configured provider, the
 * command runs on that provider's model instead of a local file.
 *
 * @module
 */
import type { Config } from "../config/config.ts";
import type { CompletionSampling } from "../app/providers/backend.ts";
import type { ProviderRegistry } from "../app/providers/registry.ts";
import type { RemoteBackend } from "../app/providers/remote_backend.ts";

/** A provider's model picked with `-m NAME:MODEL`. */
export interface RemoteModel {
  /** The provider's backend. */
  backend: RemoteBackend;
  /** The model id on the provider. */
  model: string;
}

/** The provider model `-m` names, or null for a local file. */
export function remoteModel(
  config: Config,
  providers: ProviderRegistry | undefined,
): RemoteModel | null {
  const found = providers?.resolve(config.model);
  if (!found || !providers) return null;
  return { backend: providers.backend(found.provider), model: found.model };
}

/** The sampling flags a provider understands (temperature, top-p, -n, seed). */
export function remoteSampling(config: Config): CompletionSampling {
  return {
    temperature: config.temperature,
    topP: config.topP,
    ...(config.nPredict < 0 ? {} : { maxTokens: config.nPredict }),
    ...(config.seed === -1 ? {} : { seed: config.seed }),
  };
}
