/**
 * The app's UI API as the Chromium end-to-end tests use it for setup and checks: the
 * server tests' client plus a chat read, a wait for a chat's replies to finish, and a
 * poll with a generous deadline (a loaded 2-core machine has streamed a 512-token reply
 * for over 20 s).
 *
 * @module
 */
import { assert } from "../assert.ts";
import { AppApi } from "../server/_app_api.ts";
import type { Chat, Message } from "../../api/types.ts";

/** Longest one wait may take, in ms. */
export const WAIT_MS = 60_000;

/** {@link AppApi} with the chat reads and polls the e2e tests share. */
export class ChatApi extends AppApi {
  /** `GET /api/chats/:id`. */
  chat(id: string): Promise<{ chat: Chat; messages: Message[] }> {
    return this.json("GET", `/api/chats/${id}`);
  }

  /** Polls until no message of chat `id` streams; returns the chat. */
  async settled(id: string): Promise<{ chat: Chat; messages: Message[] }> {
    let found: { chat: Chat; messages: Message[] } | undefined;
    await this.until(async () => {
      found = await this.chat(id);
      return found.messages.every((m) => m.state !== "streaming");
    }, "the reply to finish");
    return found!;
  }

  /** Polls until the app has a model loaded (the bundled one loads in the background). */
  async loaded(): Promise<void> {
    await this.until(async () => (await this.json("GET", "/api/state")).loaded !== null, "model");
  }

  /** Polls `condition` every 25 ms until it holds, failing after `timeoutMs`. */
  async until(condition: () => Promise<boolean>, what: string, timeoutMs = WAIT_MS) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      assert(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
