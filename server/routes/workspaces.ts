/**
 * The workspace file layer over HTTP (docs/ui-api.md, "Workspace files"): thin routes over
 * app/workspace/files.ts. Folders: list, add by path, choose in the native folder dialog,
 * remove, list and stat inside. Files: open into a handle, read and write raw bytes at an
 * offset (`application/octet-stream` both ways), stat, close.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { MAX_CHUNK_BYTES, OPEN_MODES, type OpenMode } from "../../app/workspace/files.ts";
import { type OpenFileResponse, workspaceJson } from "../../api/workspace_json.ts";
import { readBytes, readJson } from "../body.ts";
import { BufferPool } from "../buffer_pool.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest, conflict } from "../http_error.ts";
import { WorkspaceNotFoundError } from "../../app/workspace/errors.ts";

const OCTET_STREAM = "application/octet-stream";

/** A whole number query parameter, >= 0. */
function byteCount(c: Context, name: string, required = true): number {
  const raw = c.req.query(name);
  if (raw === undefined && !required) return 0;
  if (raw === undefined || !/^[0-9]{1,16}$/.test(raw)) {
    throw badRequest(`${name} must be a whole number of bytes (?${name}=N)`);
  }
  return Number(raw);
}

function stringField(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string") throw badRequest(`${key} must be a string`);
  return value;
}

/** The workspace folder routes, mounted at /api/workspaces. */
export function workspaceRoutes(deps: AppDeps): Hono {
  const files = deps.workspace;
  const app = new Hono();

  app.get("/", (c) =>
    c.json({
      workspaces: files.folders().map(workspaceJson),
      can_choose: deps.chooseFolder?.available() ?? false,
    }));

  app.post("/", async (c) => {
    const folder = await files.addFolder(stringField(await readJson(c), "path"));
    return c.json(workspaceJson(folder), 201);
  });

  // The native window's folder dialog; the browser UI adds folders by path instead.
  app.post("/choose", async (c) => {
    if (!deps.chooseFolder?.available()) {
      throw conflict("No folder dialog here: add the folder by its path");
    }
    const path = await deps.chooseFolder.choose();
    if (path === null) return c.json({ workspace: null });
    return c.json({ workspace: workspaceJson(await files.addFolder(path)) }, 201);
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await files.removeFolder(id))) throw new WorkspaceNotFoundError(id);
    return c.body(null, 204);
  });

  app.get(
    "/:id/list",
    async (c) => c.json(await files.list(c.req.param("id"), c.req.query("path") ?? "")),
  );

  app.get(
    "/:id/stat",
    async (c) => c.json(await files.stat(c.req.param("id"), c.req.query("path") ?? "")),
  );

  return app;
}

/** The file handle routes, mounted at /api/files. */
export function fileRoutes(deps: AppDeps): Hono {
  const files = deps.workspace;
  const app = new Hono();
  /** Read responses' buffers, back in the pool once each response is sent. */
  const readBuffers = new BufferPool();

  app.post("/", async (c) => {
    const body = await readJson(c);
    const mode = stringField(body, "mode");
    if (!OPEN_MODES.includes(mode as OpenMode)) {
      throw badRequest(`mode must be one of ${OPEN_MODES.map((m) => `"${m}"`).join(", ")}`);
    }
    const opened: OpenFileResponse = await files.open(
      stringField(body, "workspace"),
      stringField(body, "path"),
      mode as OpenMode,
    );
    return c.json(opened, 201);
  });

  app.get("/:handle", async (c) => {
    const handle = c.req.param("handle");
    const offset = byteCount(c, "offset");
    const length = byteCount(c, "length");
    // Deno.serve's (and the relay's) info: its `completed` tells when the buffer is free.
    const completed = (c.env as Partial<Deno.ServeHandlerInfo> | undefined)?.completed;
    let bytes: Uint8Array<ArrayBuffer>;
    if (completed === undefined || length > MAX_CHUNK_BYTES) {
      bytes = await files.read(handle, offset, length);
    } else {
      const buffer = readBuffers.take(length);
      let filled: number;
      try {
        filled = await files.readInto(handle, offset, buffer);
      } catch (error) {
        readBuffers.give(buffer);
        throw error;
      }
      completed.finally(() => readBuffers.give(buffer)).catch(() => {});
      bytes = buffer.subarray(0, filled);
    }
    // A stream of the one buffer: Deno copies a Uint8Array body whole (8 MiB a chunk).
    return new Response(ReadableStream.from([bytes]), {
      headers: {
        "content-type": OCTET_STREAM,
        "content-length": String(bytes.byteLength),
        "cache-control": "no-store",
      },
    });
  });

  app.put("/:handle", async (c) => {
    const handle = c.req.param("handle");
    const offset = byteCount(c, "offset");
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== OCTET_STREAM) throw badRequest(`Send the bytes as ${OCTET_STREAM}, not "${type}"`);
    const bytes = await readBytes(c, MAX_CHUNK_BYTES);
    await files.write(handle, offset, bytes);
    return c.json({ bytes_written: bytes.length });
  });

  app.get("/:handle/stat", async (c) => c.json(await files.statHandle(c.req.param("handle"))));

  app.delete("/:handle", async (c) => {
    await files.close(c.req.param("handle"));
    return c.body(null, 204);
  });

  return app;
}
