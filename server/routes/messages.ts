/**
 * Messages: send (a user message and its streaming reply), regenerate, follow a reply
 * over SSE, stop it (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { DEFAULT_TITLE, type Message } from "../../storage/mod.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest, notFound } from "../http_error.ts";
import { ReplyBusyError } from "../../app/errors.ts";
import type { ReplyEvent } from "../../app/replies.ts";

/** Longest chat title taken from a first message, in characters. */
const TITLE_LENGTH = 60;

/** `POST /api/chats/:id/messages`. */
export function sendRoute(deps: AppDeps): Hono {
  const { storage, replies } = deps;
  const app = new Hono();
  app.post("/:id/messages", async (c) => {
    const chat = storage.chats.require(c.req.param("id"));
    const body = await readJson(c);
    const { content, parent_id: parentId = null } = body;
    if (typeof content !== "string" || content.trim() === "") {
      throw badRequest("content must be a non-empty string");
    }
    if (parentId !== null && typeof parentId !== "string") {
      throw badRequest("parent_id must be a message id or null");
    }
    if (replies.busy(chat.id)) throw new ReplyBusyError(chat.id);
    const { user, assistant } = storage.transaction(() => {
      const user = storage.messages.add(chat.id, { parent_id: parentId, role: "user", content });
      const assistant = storage.messages.add(chat.id, {
        parent_id: user.id,
        role: "assistant",
        state: "streaming",
        ...replies.replySettings(chat),
      });
      if (chat.title === DEFAULT_TITLE) {
        const title = content.trim().replace(/\s+/g, " ");
        storage.chats.update(chat.id, {
          title: title.length > TITLE_LENGTH ? `${title.slice(0, TITLE_LENGTH - 1)}…` : title,
        });
      }
      return { user, assistant };
    });
    replies.start(assistant);
    deps.events.publish({ event: "chats", data: { id: chat.id } });
    return c.json({ user, assistant }, 201);
  });
  return app;
}

/** `/api/messages/:id/...`. */
export function messageRoutes(deps: AppDeps): Hono {
  const { storage, replies } = deps;
  const app = new Hono();

  app.post("/:id/regenerate", (c) => {
    const old = storage.messages.require(c.req.param("id"));
    if (old.role !== "assistant") throw badRequest("Only an assistant message can be regenerated");
    if (replies.busy(old.chat_id)) throw new ReplyBusyError(old.chat_id);
    const assistant = storage.messages.add(old.chat_id, {
      parent_id: old.parent_id,
      role: "assistant",
      state: "streaming",
      ...replies.replySettings(storage.chats.require(old.chat_id)),
    });
    replies.start(assistant);
    return c.json({ assistant }, 201);
  });

  app.post("/:id/stop", (c) => {
    const id = c.req.param("id");
    if (!replies.stop(id)) storage.messages.require(id); // 404 for unknown ids
    return c.body(null, 204);
  });

  app.get("/:id/stream", (c) => {
    const id = c.req.param("id");
    const queue: ReplyEvent[] = [];
    let wake = () => {};
    const watch = replies.watch(id, (event) => {
      queue.push(event);
      wake();
    });
    const stored = watch ? null : storage.messages.get(id);
    if (!watch && !stored) throw notFound(`No message "${id}"`);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => {
        watch?.unwatch();
        wake();
      });
      const send = (event: string, data: unknown) =>
        stream.writeSSE({ event, data: JSON.stringify(data) });
      if (!watch) {
        await send("snapshot", { content: stored!.content });
        await send("done", { message: stored as Message });
        return;
      }
      await send("snapshot", { content: watch.content });
      while (!stream.aborted) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        // Deltas that piled up while the client read go out as one event.
        let text = "";
        while (queue[0]?.type === "delta") text += (queue.shift() as { text: string }).text;
        if (text) {
          await send("delta", { text });
          continue; // more deltas may have come while this one was written
        }
        const last = queue.shift();
        if (last?.type === "done") return void await send("done", { message: last.message });
        if (last?.type === "error") {
          return void await send("error", { message: last.message, type: last.errorType });
        }
      }
    });
  });

  return app;
}
