/**
 * Message operations besides sending (docs/ui-api.md): edit a message's text in place,
 * delete a message and its replies with Undo, continue a reply, fork a branch into a new
 * chat. Each is one call into the app core (app/message_ops.ts, app/chat_turns.ts).
 *
 * @module
 */
import { Hono } from "hono";
import { continueReply } from "../../app/chat_turns.ts";
import { deleteMessage, editMessage, forkChat, restoreMessages } from "../../app/message_ops.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../http_error.ts";

/** `/api/messages/...`: edit, delete, restore, continue, fork. */
export function messageEditRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  // Before "/:id": "restore" is not a message id.
  app.post("/restore", async (c) => {
    const { undo_id: undoId } = await readJson(c);
    if (typeof undoId !== "string") throw badRequest("undo_id must be a string");
    return c.json(restoreMessages(deps, undoId));
  });

  app.patch("/:id", async (c) => {
    const id = c.req.param("id");
    deps.storage.messages.require(id); // 404 before the body is read
    const body = await readJson(c);
    for (const key of Object.keys(body)) {
      if (key !== "content") throw badRequest(`Unknown field "${key}"`);
    }
    if (typeof body.content !== "string" || body.content.trim() === "") {
      throw badRequest("content must be a non-empty string");
    }
    return c.json(editMessage(deps, id, body.content));
  });

  app.delete("/:id", (c) => c.json(deleteMessage(deps, c.req.param("id"))));

  app.post("/:id/continue", (c) => {
    return c.json({ assistant: continueReply(deps, c.req.param("id")) }, 201);
  });

  app.post("/:id/fork", (c) => c.json(forkChat(deps, c.req.param("id")), 201));

  return app;
}
