/**
 * `GET /v1/models` and `GET /v1/models/{model}`: the served model, then each remote
 * provider's models as `NAME:MODEL` when providers are fronted.
 *
 * @module
 */
import { Hono } from "hono";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { checkModel } from "../model_field.ts";
import type { ProviderRegistry } from "../../../app/providers/registry.ts";

/** The models route, mounted at `/v1/models`. */
export function modelsRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  const model = () => ({
    id: deps.backend.id,
    object: "model",
    created: deps.startedAt,
    owned_by: "hearth",
  });
  // llama-server's fields (tools/server/server-context.cpp get_res_model_info): every
  // name requests may use, the id among them, and the model's facts, n_ctx being what
  // one slot holds (what -c and -np made).
  const served = () => {
    const { info, nCtx } = deps.backend;
    return {
      ...model(),
      aliases: [...new Set([deps.backend.id, ...deps.backend.aliases ?? []])].sort(),
      meta: {
        n_vocab: info.nVocab,
        n_ctx: nCtx,
        n_ctx_train: info.nCtxTrain,
        n_embd: info.nEmbd,
        n_params: info.nParams,
        size: info.sizeBytes,
      },
    };
  };
  route.get("/", async (c) => {
    const remote = deps.providers ? await remoteModels(deps.providers, c.var.abort.signal) : [];
    const data = [
      served(),
      ...remote.map((id) => ({ ...model(), id, owned_by: id.split(":")[0] })),
    ];
    return c.json({ object: "list", data });
  });
  route.get("/:model{.+}", (c) => {
    const id = c.req.param("model");
    const remote = deps.providers?.resolve(id);
    if (remote) return c.json({ ...model(), id, owned_by: remote.provider });
    checkModel(c.req.param("model"), deps.backend.id, deps.backend.aliases);
    return c.json(served());
  });
  return route;
}

/** Every provider's models as `NAME:MODEL`; a provider that fails to list adds none. */
async function remoteModels(providers: ProviderRegistry, signal: AbortSignal): Promise<string[]> {
  const lists = await Promise.all(
    providers.list().map(async ({ name }) => {
      try {
        return (await providers.backend(name).models(signal)).map((id) => `${name}:${id}`);
      } catch {
        return [];
      }
    }),
  );
  return lists.flat();
}
