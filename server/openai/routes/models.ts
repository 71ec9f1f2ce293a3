/**
 * `GET /v1/models` and `GET /v1/models/{model}`: the one served model.
 *
 * @module
 */
import { Hono } from "hono";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { checkModel } from "../model_field.ts";

/** The models route, mounted at `/v1/models`. */
export function modelsRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  const model = () => ({
    id: deps.backend.id,
    object: "model",
    created: deps.startedAt,
    owned_by: "hearth",
  });
  route.get("/", (c) => c.json({ object: "list", data: [model()] }));
  route.get("/:model{.+}", (c) => {
    checkModel(c.req.param("model"), deps.backend.id);
    return c.json(model());
  });
  return route;
}
