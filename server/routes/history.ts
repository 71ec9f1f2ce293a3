/**
 * `/api/history` and `/api/bench-runs`: the generation history (every reply and sheet job
 * with its model, settings and metrics; filtered and paged) and the saved `deno task bench`
 * runs (docs/ui-api.md, "Generation history and bench runs").
 *
 * @module
 */
import { Hono } from "hono";
import type { HistoryPageJson } from "../../api/history_json.ts";
import { HistoryService } from "../../app/history/mod.ts";
import type { AppDeps } from "../deps.ts";

/** `GET /api/history[?kind&model&text&since&until&limit&offset]` and `GET /api/history/models`. */
export function historyRoutes(deps: Pick<AppDeps, "storage">): Hono {
  const history = new HistoryService(deps.storage);
  const app = new Hono();
  app.get("/", (c) => {
    const q = (name: string) => c.req.query(name);
    const page: HistoryPageJson = history.list({
      kind: q("kind"),
      model: q("model"),
      text: q("text"),
      since: q("since"),
      until: q("until"),
      limit: q("limit"),
      offset: q("offset"),
    });
    return c.json(page);
  });
  app.get("/models", (c) => c.json({ models: history.models() }));
  return app;
}

/** `GET /api/bench-runs[?model]`, `GET /api/bench-runs/:id`, `DELETE /api/bench-runs/:id`. */
export function benchRunRoutes(deps: Pick<AppDeps, "storage">): Hono {
  const history = new HistoryService(deps.storage);
  const app = new Hono();
  app.get("/", (c) => c.json({ runs: history.benchRuns(c.req.query("model") || undefined) }));
  app.get("/:id", (c) => c.json(history.benchRun(c.req.param("id"))));
  app.delete("/:id", (c) => {
    history.removeBenchRun(c.req.param("id"));
    return c.body(null, 204);
  });
  return app;
}
