/**
 * The app server as the server tests drive it: a real app on 127.0.0.1 with real
 * storage in a temp folder and the bundled model loaded, and a client that sends the
 * launch secret.
 *
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";

// deno-lint-ignore no-explicit-any
export type Json = any;

/** Runs `fn` against a fresh app whose bundled model has loaded; closes it after. */
export async function withApp(fn: (app: RunningApp, api: AppApi) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir();
  const app = await startApp({ dataDir, libraryRoots: [] });
  try {
    const api = new AppApi(app);
    await api.waitFor(async () => (await api.json("GET", "/api/state")).loaded !== null);
    await fn(app, api);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Sends one request that must succeed to `app`; returns its JSON body (null when empty). */
export function appJson(
  app: RunningApp,
  method: string,
  path: string,
  body?: unknown,
): Promise<Json> {
  return new AppApi(app).json(method, path, body);
}

/**
 * Polls `check` every 50 ms until it returns a value other than undefined, null or
 * false, and returns that value.
 *
 * @throws AssertionError naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 60_000,
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) {
      return value as Exclude<T, undefined | null | false>;
    }
    assert(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Requests to a running app, authorised with its launch secret. */
export class AppApi {
  constructor(readonly app: RunningApp) {}

  /**
   * Sends a request; a string body goes as it is, anything else as JSON, both labelled
   * application/json as the UI labels them (the server refuses other body types).
   */
  request(method: string, path: string, body?: unknown): Promise<Response> {
    const type: Record<string, string> = body === undefined
      ? {}
      : { "content-type": "application/json" };
    return fetch(this.app.origin + path, {
      method,
      headers: { authorization: `Bearer ${this.app.secret}`, ...type },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  /** Sends a request that must succeed; returns its JSON body (null when empty). */
  async json(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await this.request(method, path, body);
    const text = await response.text();
    assert(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** Reads an SSE stream to its end; returns the events in order. */
  async events(path: string): Promise<{ event: string; data: unknown }[]> {
    const response = await this.request("GET", path);
    assertEquals(response.headers.get("content-type")?.split(";")[0], "text/event-stream");
    const text = await response.text();
    return text.split("\n\n").filter((block) => block.includes("event:")).map((block) => {
      const event = /event: (.*)/.exec(block)![1];
      const data = JSON.parse(/data: (.*)/.exec(block)![1]);
      return { event, data };
    });
  }

  /** Reads `GET /api/events` until an event named `name` satisfies `match`. */
  async nextEvent(name: string, match: (data: Json) => boolean): Promise<Json> {
    const response = await this.request("GET", "/api/events");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    try {
      while (true) {
        const { value, done } = await reader.read();
        assert(!done, `the event stream ended before a matching "${name}" event`);
        text += value;
        for (const block of text.split("\n\n")) {
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === name && data !== undefined && match(JSON.parse(data))) {
            return JSON.parse(data);
          }
        }
      }
    } finally {
      await reader.cancel();
    }
  }

  /** Polls `condition` every 50 ms until it holds. */
  async waitFor(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    await waitFor("a condition", condition, timeoutMs);
  }
}
