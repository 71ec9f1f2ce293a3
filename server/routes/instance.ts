/**
 * The instance route: a second start of the app on the same data folder asks the
 * running one to show itself (docs/ui-api.md). It carries its own token, read from the
 * data folder's `instance.json` (mode 0600), not the launch secret, so it sits in front
 * of the launch-secret gate. A web page cannot call it: the Authorization header makes
 * a cross-site request need a CORS preflight, which this server never allows, and any
 * request with an Origin header is refused.
 *
 * @module
 */
import { Hono } from "hono";
import type { InstanceControl } from "../../app/single_instance.ts";
import { sameSecret } from "../auth.ts";
import { readJson } from "../body.ts";
import { badRequest, HttpError } from "../http_error.ts";

/**
 * `POST /activate` (mounted on `/api/instance`), checked against `hosts` (Host values
 * the server answers to) and `control.token`.
 */
export function instanceRoutes(control: InstanceControl, hosts: () => readonly string[]): Hono {
  const app = new Hono();
  app.post("/activate", async (c) => {
    const host = c.req.header("host") ?? "";
    if (!hosts().includes(host)) {
      throw new HttpError(403, "forbidden", `Host "${host}" is not this server`);
    }
    if (c.req.header("origin") !== undefined) {
      throw new HttpError(403, "forbidden", "The instance route takes no cross-origin requests");
    }
    const bearer = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
    if (!bearer || !sameSecret(bearer, control.token)) {
      throw new HttpError(
        401,
        "unauthorized",
        "The instance route needs the token in the data folder's instance.json",
      );
    }
    const { show = true } = await readJson(c);
    if (typeof show !== "boolean") throw badRequest("show must be a boolean");
    return c.json(control.activate(show));
  });
  return app;
}
