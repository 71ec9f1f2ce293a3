/**
 * `/api/hub-token`: the Hugging Face token typed in Settings. Write-only: the answers say
 * where the token in use comes from, never the token (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import type { HubToken } from "../../app/hub_token.ts";
import { readJson } from "../body.ts";
import { badRequest } from "../http_error.ts";

/** The token routes. */
export function hubTokenRoutes(deps: { hubToken: HubToken }): Hono {
  const app = new Hono();
  const answer = () => ({ source: deps.hubToken.source });
  app.get("/", (c) => c.json(answer()));
  app.put("/", async (c) => {
    const { token } = await readJson(c);
    if (token !== null && typeof token !== "string") {
      throw badRequest("token must be a string, or null to remove it");
    }
    try {
      deps.hubToken.set(token);
    } catch (error) {
      if (error instanceof TypeError) throw badRequest(error.message);
      throw error;
    }
    return c.json(answer());
  });
  return app;
}
