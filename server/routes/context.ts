/**
 * `POST /api/context`: how many tokens a chat's next prompt takes, for the context bar and
 * the composer (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import { measureContext } from "../../app/context_usage.ts";
import type { Overflow } from "../../storage/mod.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../http_error.ts";

const OVERFLOWS: readonly unknown[] = ["error", "truncate-oldest"] satisfies Overflow[];

/** The context measuring route. */
export function contextRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const body = await readJson(c);
    const { chat_id, leaf_id, draft, system_prompt, overflow } = body;
    if (chat_id != null && typeof chat_id !== "string") {
      throw badRequest("chat_id must be a string");
    }
    if (leaf_id != null && typeof leaf_id !== "string") {
      throw badRequest("leaf_id must be a string");
    }
    if (draft !== undefined && typeof draft !== "string") {
      throw badRequest("draft must be a string");
    }
    if (system_prompt !== undefined && typeof system_prompt !== "string") {
      throw badRequest("system_prompt must be a string");
    }
    if (overflow !== undefined && !OVERFLOWS.includes(overflow)) {
      throw badRequest(`overflow must be one of ${OVERFLOWS.join(", ")}`);
    }
    return c.json(
      await measureContext(deps, {
        chatId: chat_id as string | null | undefined,
        leafId: leaf_id as string | null | undefined,
        draft: draft as string | undefined,
        systemPrompt: system_prompt as string | undefined,
        overflow: overflow as Overflow | undefined,
      }),
    );
  });
  return app;
}
