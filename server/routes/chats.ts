/**
 * Chats: list and search, create, read with the whole message tree, update, delete
 * with undo, export and import (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import { EXPORT_FORMATS } from "../../storage/mod.ts";
import { exportFileName } from "../../api/export_name.ts";
import type { ChatPatch, NewChat } from "../../storage/mod.ts";
import { readJson, readText } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest, notFound } from "../http_error.ts";

/** Largest import file, in bytes. */
export const MAX_IMPORT_BYTES = 32 << 20;

const CHAT_FIELDS = ["title", "model", "system_prompt", "sampling", "n_ctx", "overflow"];

function pick(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw badRequest(`Unknown field "${key}"`);
  }
  return body;
}

/** The chat routes. */
export function chatRoutes(deps: AppDeps): Hono {
  const { storage, events } = deps;
  const app = new Hono();
  const changed = (id: string) => events.publish({ event: "chats", data: { id } });

  app.get("/", (c) => {
    const q = c.req.query("q")?.trim();
    return c.json({ chats: q ? storage.search(q) : storage.chats.list() });
  });

  app.post("/", async (c) => {
    const chat = storage.chats.create(pick(await readJson(c), CHAT_FIELDS) as NewChat);
    changed(chat.id);
    return c.json(chat, 201);
  });

  app.get("/:id", (c) => {
    const chat = storage.chats.require(c.req.param("id"));
    const messages = storage.messages.list(chat.id);
    const images = storage.images.counts(messages.map((m) => m.id));
    return c.json({
      chat,
      // A user message with images says how many: GET /api/messages/:id/images/:n has each.
      messages: messages.map((m) => images.has(m.id) ? { ...m, images: images.get(m.id) } : m),
    });
  });

  app.patch("/:id", async (c) => {
    const patch = pick(await readJson(c), [...CHAT_FIELDS, "active_leaf_id"]) as ChatPatch;
    const chat = storage.chats.update(c.req.param("id"), patch);
    changed(chat.id);
    return c.json(chat);
  });

  app.delete("/:id", (c) => {
    const id = c.req.param("id");
    if (!storage.chats.softDelete(id)) throw notFound(`No chat "${id}"`);
    changed(id);
    return c.body(null, 204);
  });

  app.post("/:id/restore", (c) => {
    const id = c.req.param("id");
    if (!storage.chats.restore(id)) throw notFound(`No deleted chat "${id}"`);
    changed(id);
    return c.json(storage.chats.require(id));
  });

  app.get("/:id/export", (c) => {
    const format = c.req.query("format") ?? "md";
    if (!(format in EXPORT_FORMATS)) throw badRequest(`Unknown export format "${format}"`);
    const chat = storage.chats.require(c.req.param("id"));
    const { mediaType } = EXPORT_FORMATS[format as keyof typeof EXPORT_FORMATS];
    const name = exportFileName(chat.title, format as keyof typeof EXPORT_FORMATS);
    return c.body(storage.exportChat(chat.id, format as keyof typeof EXPORT_FORMATS), 200, {
      "content-type": mediaType,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    });
  });

  return app;
}

/** `POST /api/import[?format=jsonl|openai]`; without a format, it is told from the content. */
export function importRoute(deps: AppDeps): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const format = c.req.query("format") ?? "auto";
    if (format !== "jsonl" && format !== "openai" && format !== "auto") {
      throw badRequest(`format must be "jsonl" or "openai", got "${format}"`);
    }
    const chat = deps.storage.importChat(await readText(c, MAX_IMPORT_BYTES), format);
    deps.events.publish({ event: "chats", data: { id: chat.id } });
    return c.json(chat, 201);
  });
  return app;
}
