/**
 * Sheets over HTTP (`/api/sheets`): thin handlers over app/sheets/ (the SheetService);
 * domain errors are answered through server/error_table.ts.
 *
 * - `GET /` list; `POST /` {name, rows?} create; `POST /import` {workspace, path, name?,
 *   format?} (a file of a workspace folder: the page never names a path outside one;
 *   answers when the import ends, its progress comes as `sheet_import` events)
 * - `GET /imports` imports in flight; `POST /imports/:id/cancel` (:id its sheet's)
 * - `GET /:id` sheet and columns; `PATCH /:id` {name?, parallel?}; `DELETE /:id`
 * - `POST /:id/export` {workspace, path, format?}; `GET /:id/rows?offset=&limit=`
 * - `POST /:id/columns` {name, kind, type?, ai?}; `PATCH|DELETE /columns/:cid`
 * - `PUT /columns/:cid/cells/:row` {value}; `POST /columns/:cid/cells/:row/approve`
 *   {approved?}; `GET /columns/:cid/cells/:row/prompt`
 * - `POST /columns/:cid/generate` {from?, to?, mode?}; `POST /columns/:cid/retry-failed`;
 *   `GET /columns/:cid/progress`
 * - `POST /jobs/:jid/pause|resume|cancel`
 *
 * @module
 */
import { Hono } from "hono";
import {
  sheetCellJson,
  sheetColumnJson,
  sheetJobJson,
  sheetJson,
  sheetRowsJson,
} from "../../api/sheets.ts";
import type { AppDeps } from "../deps.ts";
import { readJson } from "../body.ts";
import { badRequest } from "../http_error.ts";
import { TABLE_FORMATS, type TableFormat } from "../../tables/mod.ts";

/** Most rows one `GET /:id/rows` returns. */
export const MAX_ROWS_PER_PAGE = 1000;

function pick(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw badRequest(`Unknown field "${key}"`);
  }
  return body;
}

function intParam(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw badRequest(`${name} must be an integer >= 0, got "${text}"`);
  }
  return value;
}

function format(value: unknown): TableFormat | undefined {
  if (value === undefined) return undefined;
  if (!TABLE_FORMATS.includes(value as TableFormat)) {
    throw badRequest(`format must be one of ${TABLE_FORMATS.join(", ")}`);
  }
  return value as TableFormat;
}

function text(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string" || value === "") {
    throw badRequest(`${key} must be a non-empty string`);
  }
  return value;
}

/** The sheet routes. */
export function sheetRoutes(deps: AppDeps): Hono {
  const sheets = deps.sheets;
  const app = new Hono();

  app.get("/", (c) => c.json({ sheets: sheets.list().map(sheetJson) }));

  app.post("/", async (c) => {
    const body = pick(await readJson(c), ["name", "rows"]);
    const rows = intParam(body.rows === undefined ? undefined : String(body.rows), "rows", 0);
    return c.json(sheetJson(sheets.create(text(body, "name"), rows)), 201);
  });

  app.post("/import", async (c) => {
    const body = pick(await readJson(c), ["workspace", "path", "name", "format"]);
    const path = await deps.workspace.resolve(text(body, "workspace"), text(body, "path"));
    const sheet = await sheets.import(path, {
      name: body.name === undefined ? undefined : text(body, "name"),
      format: format(body.format),
    });
    return c.json(sheetJson(sheet), 201);
  });

  // Before "/:id", which would take "imports" for a sheet id.
  app.get("/imports", (c) => c.json({ imports: sheets.imports.list() }));

  app.post(
    "/imports/:id/cancel",
    async (c) => c.json(await sheets.imports.cancel(c.req.param("id"))),
  );

  app.get("/:id", (c) => {
    const id = c.req.param("id");
    return c.json({
      sheet: sheetJson(sheets.get(id)),
      columns: sheets.columns(id).map(sheetColumnJson),
    });
  });

  app.patch("/:id", async (c) => {
    const body = pick(await readJson(c), ["name", "parallel"]);
    const id = c.req.param("id");
    if (body.parallel !== undefined) {
      if (typeof body.parallel !== "number") throw badRequest("parallel must be an integer");
      sheets.setParallel(id, body.parallel);
    }
    if (body.name !== undefined) sheets.rename(id, text(body, "name"));
    return c.json(sheetJson(sheets.get(id)));
  });

  app.delete("/:id", async (c) => {
    await sheets.delete(c.req.param("id"));
    return c.body(null, 204);
  });

  app.post("/:id/export", async (c) => {
    const body = pick(await readJson(c), ["workspace", "path", "format"]);
    const id = c.req.param("id");
    sheets.get(id);
    const path = await deps.workspace.resolve(text(body, "workspace"), text(body, "path"), true);
    await sheets.export(id, path, format(body.format));
    return c.body(null, 204);
  });

  app.get("/:id/rows", (c) => {
    const offset = intParam(c.req.query("offset"), "offset", 0);
    const limit = Math.min(MAX_ROWS_PER_PAGE, intParam(c.req.query("limit"), "limit", 100));
    return c.json(sheetRowsJson(sheets.rows(c.req.param("id"), offset, limit)));
  });

  app.post("/:id/columns", async (c) => {
    const body = pick(await readJson(c), ["name", "kind", "type", "ai"]);
    if (body.kind !== "data" && body.kind !== "ai") throw badRequest('kind must be "data" or "ai"');
    // The service checks the rest (name, type, the AI spec) and names what is wrong.
    const column = sheets.addColumn(c.req.param("id"), body as never);
    return c.json(sheetColumnJson(column), 201);
  });

  app.patch("/columns/:cid", async (c) => {
    const body = pick(await readJson(c), ["name", "type", "ai"]);
    return c.json(sheetColumnJson(sheets.editColumn(c.req.param("cid"), body as never)));
  });

  app.delete("/columns/:cid", async (c) => {
    await sheets.deleteColumn(c.req.param("cid"));
    return c.body(null, 204);
  });

  app.put("/columns/:cid/cells/:row", async (c) => {
    const body = pick(await readJson(c), ["value"]);
    const value = body.value ?? null;
    if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
      throw badRequest("value must be a string, number, boolean or null");
    }
    sheets.setCell(
      c.req.param("cid"),
      intParam(c.req.param("row"), "row", 0),
      value as string | number | boolean | null,
    );
    return c.body(null, 204);
  });

  app.post("/columns/:cid/cells/:row/approve", async (c) => {
    const body = pick(await readJson(c), ["approved"]);
    if (body.approved !== undefined && typeof body.approved !== "boolean") {
      throw badRequest("approved must be a boolean");
    }
    const cell = sheets.approveCell(
      c.req.param("cid"),
      intParam(c.req.param("row"), "row", 0),
      body.approved !== false,
    );
    return c.json(sheetCellJson(cell));
  });

  app.get(
    "/columns/:cid/cells/:row/prompt",
    (c) => c.json(sheets.prompt(c.req.param("cid"), intParam(c.req.param("row"), "row", 0))),
  );

  app.post("/columns/:cid/generate", async (c) => {
    const body = pick(await readJson(c), ["from", "to", "mode"]);
    const mode = body.mode ?? "missing";
    if (mode !== "missing" && mode !== "failed" && mode !== "all") {
      throw badRequest('mode must be "missing", "failed" or "all"');
    }
    const job = sheets.generate(c.req.param("cid"), {
      from: body.from === undefined ? undefined : intParam(String(body.from), "from", 0),
      to: body.to === undefined ? undefined : intParam(String(body.to), "to", 0),
      mode,
    });
    return c.json(sheetJobJson(job), 202);
  });

  app.post(
    "/columns/:cid/retry-failed",
    (c) => c.json(sheetJobJson(sheets.retryFailed(c.req.param("cid"))), 202),
  );

  app.get(
    "/columns/:cid/progress",
    (c) => c.json({ progress: sheets.progress(c.req.param("cid")) }),
  );

  app.post(
    "/jobs/:jid/pause",
    async (c) => c.json(sheetJobJson(await sheets.jobs.pause(c.req.param("jid")))),
  );
  app.post(
    "/jobs/:jid/resume",
    (c) => c.json(sheetJobJson(sheets.jobs.resume(c.req.param("jid")))),
  );
  app.post(
    "/jobs/:jid/cancel",
    async (c) => c.json(sheetJobJson(await sheets.jobs.cancel(c.req.param("jid")))),
  );

  return app;
}
