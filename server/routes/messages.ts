/**
 * Messages: send (a user message and its streaming reply), regenerate, follow a reply
 * over SSE, stop it (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Message, MessageImage } from "../../storage/mod.ts";
import { regenerate, sendMessage } from "../../app/chat_turns.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest, notFound } from "../http_error.ts";
import type { ReplyEvent } from "../../app/replies.ts";
import { withAttachments } from "../../app/workspace/attachments.ts";

/** `POST /api/chats/:id/messages`. */
export function sendRoute(deps: AppDeps): Hono {
  const { storage } = deps;
  const app = new Hono();
  app.post("/:id/messages", async (c) => {
    const chatId = c.req.param("id");
    storage.chats.require(chatId); // 404 before the body is read
    const body = await readJson(c, MAX_IMAGE_BODY_BYTES);
    const { content, parent_id: parentId = null, attachments } = body;
    if (typeof content !== "string" || content.trim() === "") {
      throw badRequest("content must be a non-empty string");
    }
    if (parentId !== null && typeof parentId !== "string") {
      throw badRequest("parent_id must be a message id or null");
    }
    const images = readImages(body.images);
    // Workspace text files, read through the file layer into the message.
    const full = await withAttachments(deps.workspace, content, attachments);
    return c.json(sendMessage(deps, chatId, full, parentId, images), 201);
  });
  return app;
}

/** Largest send body, in bytes: room for images as base64 (about 15 MiB of them). */
const MAX_IMAGE_BODY_BYTES = 20 << 20;

/** `images: [{ mime_type, data_base64 }]` of a send body. */
function readImages(value: unknown): MessageImage[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw badRequest("images must be an array of { mime_type, data_base64 }");
  }
  return value.map((item, i) => {
    const { mime_type: mimeType, data_base64: data } = (item ?? {}) as Record<string, unknown>;
    if (typeof mimeType !== "string" || typeof data !== "string") {
      throw badRequest(`images[${i}] must be { mime_type, data_base64 }`);
    }
    try {
      return { mime_type: mimeType, data: Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0)) };
    } catch {
      throw badRequest(`images[${i}].data_base64 is not valid base64`);
    }
  });
}

/** `GET /api/messages/:id/images/:n`: an image a message carries, as its file. */
export function messageImageRoute(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/:id/images/:n", (c) => {
    const image = deps.storage.images.list(c.req.param("id"))[Number(c.req.param("n"))];
    if (!image) throw notFound(`No image ${c.req.param("n")} on message "${c.req.param("id")}"`);
    return c.body(image.data as Uint8Array<ArrayBuffer>, 200, {
      "content-type": image.mime_type,
      "cache-control": "private, max-age=86400, immutable",
    });
  });
  return app;
}

/** `/api/messages/:id/...`. */
export function messageRoutes(deps: AppDeps): Hono {
  const { storage, replies } = deps;
  const app = new Hono();

  app.post("/:id/regenerate", (c) => {
    return c.json({ assistant: regenerate(deps, c.req.param("id")) }, 201);
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
        await send("snapshot", { content: stored!.content, waiting: false });
        await send("done", { message: stored as Message });
        return;
      }
      await send("snapshot", {
        content: watch.content,
        waiting: watch.waiting,
        tokens: watch.tokens,
      });
      while (!stream.aborted) {
        if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        // Deltas that piled up while the client read go out as one event.
        let text = "";
        let tokens = 0;
        while (queue[0]?.type === "delta") {
          const delta = queue.shift() as { text: string; tokens?: number };
          text += delta.text;
          tokens += delta.tokens ?? 0;
        }
        if (text) {
          await send("delta", tokens ? { text, tokens } : { text });
          continue; // more deltas may have come while this one was written
        }
        const last = queue.shift();
        if (last?.type === "waiting" || last?.type === "started") {
          await send(last.type, {});
          continue;
        }
        if (last?.type === "done") return void await send("done", { message: last.message });
        if (last?.type === "error") {
          return void await send("error", { message: last.message, type: last.errorType });
        }
      }
    });
  });

  return app;
}
