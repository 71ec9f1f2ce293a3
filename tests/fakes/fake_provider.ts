/**
 * A fake OpenAI-compatible provider: a real HTTP server on 127.0.0.1 speaking what
 * Hearth's remote backend uses, so tests point a provider's base URL at it as users point
 * one at vLLM or llama-server. It serves:
 *
 * - `GET /v1/models`: the configured model ids (404 with `modelsRoute: false`).
 * - `POST /v1/chat/completions`: the reply `"Hello from MODEL."` word by word, as SSE
 *   chunks, then a finish_reason chunk, a usage chunk and `data: [DONE]`; a JSON body
 *   when `stream` is false. An unknown model is a 404. With a `response_format` of type
 *   `json_schema`, the reply is a JSON text matching the schema's properties (strings
 *   are the reply text, numbers 1, booleans true, arrays empty), as a provider that
 *   honours structured output answers.
 *
 * With `keys`, a request without `Authorization: Bearer KEY` of one of them is a 401 whose
 * message echoes the key it got (as some providers do), so tests can check Hearth
 * redacts it. Faults queued in `faults` apply to the next chat requests, one each.
 *
 * @module
 */

/** One injected failure of a chat request. */
export type ProviderFault =
  | { kind: "status"; status: number; retryAfter?: string }
  /** Sends `pieces` words of the reply, then breaks the connection. */
  | { kind: "drop"; pieces: number }
  /** Sends `pieces` words of the reply, then nothing until the server closes (an idle stream). */
  | { kind: "stall"; pieces: number }
  /** Sends no response until the server closes (a first byte that never comes). */
  | { kind: "hang" }
  /** Waits for `until`, then answers as if no fault were queued (a slow first byte). */
  | { kind: "hold"; until: Promise<void> };

/** What the fake provider serves. */
export interface FakeProviderConfig {
  /** Model ids. @default {["fake-small", "fake-large"]} */
  models?: string[];
  /** Accepted API keys; none = no key needed. */
  keys?: string[];
  /** Whether `GET /v1/models` exists. @default {true} */
  modelsRoute?: boolean;
  /** Milliseconds each chat request waits before answering, so requests overlap. @default {0} */
  latencyMs?: number;
}

/** One chat request received. */
export interface FakeProviderRequest {
  model: string;
  /** The `Authorization` header, or null. */
  authorization: string | null;
  /** The status answered. */
  status: number;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
}

/** A running fake provider. */
export interface FakeProvider {
  /** `http://127.0.0.1:{port}/v1`: the provider's base URL. */
  baseUrl: string;
  /** Faults for the next chat requests, first first; consumed as they apply. */
  faults: ProviderFault[];
  /** Every chat request, in order. */
  requests: FakeProviderRequest[];
  /** `GET /v1/models` requests so far. */
  modelListings: number;
  /** Chat requests being answered now, and the most there ever were at once. */
  inFlight: number;
  maxInFlight: number;
  /** The reply to `model`. */
  reply(model: string): string;
  /** Stops the server; hanging responses end. */
  close(): Promise<void>;
}

/** Starts a fake provider on a free port of 127.0.0.1. */
export function startFakeProvider(config: FakeProviderConfig = {}): FakeProvider {
  const models = config.models ?? ["fake-small", "fake-large"];
  const closing = Promise.withResolvers<void>();
  const reply = (model: string) => `Hello from ${model}.`;
  const state: Omit<FakeProvider, "baseUrl" | "close" | "reply"> = {
    faults: [],
    requests: [],
    modelListings: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
  const authorized = (request: Request) =>
    !config.keys || config.keys.some((k) => request.headers.get("authorization") === `Bearer ${k}`);
  const refuse = (request: Request) => {
    const got = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    return error(401, `Incorrect API key provided: ${got}`, "invalid_api_key");
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path === "/v1/models") {
      state.modelListings++;
      if (config.modelsRoute === false) return error(404, "Not found", "not_found");
      if (!authorized(req)) return refuse(req);
      return Response.json({
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "fake" })),
      });
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      return error(404, `No route ${req.method} ${path}`, "not_found");
    }
    const body = await req.json();
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    try {
      return await chat(req, body);
    } finally {
      state.inFlight--;
    }
  });

  async function chat(req: Request, body: Awaited<ReturnType<Request["json"]>>): Promise<Response> {
    const model = String(body.model);
    const record: FakeProviderRequest = {
      model,
      authorization: req.headers.get("authorization"),
      status: 200,
      body,
    };
    state.requests.push(record);
    const answer = (response: Response) => {
      record.status = response.status;
      return response;
    };
    let fault = state.faults.shift();
    if (fault?.kind === "hold") {
      await Promise.race([fault.until, closing.promise]);
      fault = undefined;
    }
    if (!authorized(req)) return answer(refuse(req));
    if (fault?.kind === "status") {
      const response = error(fault.status, `Injected HTTP ${fault.status}`, "injected");
      if (fault.retryAfter !== undefined) response.headers.set("retry-after", fault.retryAfter);
      return answer(response);
    }
    if (fault?.kind === "hang") {
      await closing.promise;
      return answer(error(503, "Shutting down", "unavailable"));
    }
    if (!models.includes(model)) {
      return answer(error(404, `The model \`${model}\` does not exist`, "model_not_found"));
    }
    if (config.latencyMs) {
      await Promise.race([new Promise((r) => setTimeout(r, config.latencyMs)), closing.promise]);
    }
    const format = body.response_format;
    const text = format?.type === "json_schema"
      ? JSON.stringify(exampleOf(format.json_schema?.schema, reply(model)))
      : reply(model);
    const words = text.split(/(?<= )/);
    const usage = {
      prompt_tokens: 7,
      completion_tokens: words.length,
      total_tokens: 7 + words.length,
    };
    if (body.stream !== true) {
      return answer(Response.json({
        id: "chatcmpl-fake",
        object: "chat.completion",
        created: 0,
        model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: text },
          finish_reason: "stop",
        }],
        usage,
      }));
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      sse({
        id: "chatcmpl-fake",
        object: "chat.completion.chunk",
        created: 0,
        model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
    const drop = fault?.kind === "drop" || fault?.kind === "stall" ? fault.pieces : undefined;
    const stall = fault?.kind === "stall";
    const parts: (Uint8Array | "drop")[] = [chunk({ role: "assistant", content: "" }, null)];
    for (const [i, word] of words.entries()) {
      parts.push(i === drop ? "drop" : chunk({ content: word }, null));
    }
    parts.push(chunk({}, "stop"));
    if (body.stream_options?.include_usage) {
      parts.push(
        sse({
          id: "chatcmpl-fake",
          object: "chat.completion.chunk",
          created: 0,
          model,
          choices: [],
          usage,
        }),
      );
    }
    parts.push(new TextEncoder().encode("data: [DONE]\n\n"));
    // One part per pull: what came before a drop has been handed to the connection.
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (stall && parts[0] === "drop") {
          await closing.promise;
          return controller.close();
        }
        const part = parts.shift();
        if (part === undefined) controller.close();
        // Breaks the connection mid-body, as a crashed upstream would.
        else if (part === "drop") controller.error(new Error("Injected drop"));
        else controller.enqueue(part);
      },
    }, { highWaterMark: 0 });
    return answer(new Response(stream, { headers: { "content-type": "text/event-stream" } }));
  }

  const { port } = server.addr as Deno.NetAddr;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    reply,
    close: async () => {
      closing.resolve();
      await server.shutdown();
    },
  });
}

/** The parts of a JSON schema {@link exampleOf} reads. */
interface Schema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
}

/** A value matching a JSON schema's shape: strings are `text`, numbers 1, booleans true. */
function exampleOf(schema: Schema | undefined, text: string): unknown {
  if (schema?.enum) return schema.enum[0];
  if (schema?.type === "object") {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([k, v]) => [k, exampleOf(v, text)]),
    );
  }
  if (schema?.type === "array") return [];
  if (schema?.type === "number" || schema?.type === "integer") return 1;
  if (schema?.type === "boolean") return true;
  return text;
}

function sse(value: unknown): Uint8Array {
  return new TextEncoder().encode(`data: ${JSON.stringify(value)}\n\n`);
}

function error(status: number, message: string, code: string): Response {
  return Response.json({ error: { message, type: "invalid_request_error", code } }, { status });
}
