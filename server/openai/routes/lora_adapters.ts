/**
 * `GET /lora-adapters` and `POST /lora-adapters`, as llama-server has them: the
 * served model's adapters with their global scales, and setting those scales (a
 * request's own `lora` field overrides them).
 *
 * @module
 */
import { Hono } from "hono";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { ServedLoras } from "../loras.ts";

/** The LoRA adapter routes, mounted at `/lora-adapters`. */
export function loraAdaptersRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  const loras = deps.backend.loras ?? new ServedLoras();
  route.get("/", (c) => c.json(loras.list()));
  route.post("/", (c) => {
    loras.setGlobal(c.var.bodyList ?? c.var.body);
    return c.json({ success: true });
  });
  return route;
}
