/**
 * Starts the OpenAI server for a test: the real engine and model behind a
 * ContextBackend, on 127.0.0.1 and a free port, and an `openai` SDK client for it.
 *
 * @module
 */
import OpenAI from "openai";
import { loadModel, type Model } from "../../engine/model.ts";
import type { Context } from "../../engine/context.ts";
import { type CompletionBackend, ContextBackend } from "../../server/openai/backend.ts";
import { type OpenAiServerOptions, startOpenAiServer } from "../../server/openai/server.ts";
import { STORIES_260K_CHATML } from "../models.ts";

export { OpenAI };

/** The model id the tests serve. */
export const MODEL_ID = "stories260K";

/** A running test server. */
export interface TestServer extends AsyncDisposable {
  url: string;
  port: number;
  model: Model;
  context: Context;
  backend: CompletionBackend;
  /** An SDK client for the server; `apiKey` defaults to the server's. */
  client(apiKey?: string): OpenAI;
}

/** Options of {@link startTestServer}. */
export interface TestServerOptions extends Omit<OpenAiServerOptions, "port"> {
  /** The model file. Default stories260K with its ChatML template. */
  modelPath?: string;
  /** KV cache size in tokens. Default 2048. */
  nCtx?: number;
  /** Wraps the backend (to observe calls). */
  wrap?: (backend: CompletionBackend) => CompletionBackend;
}

/** Loads the model and serves it. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { modelPath = STORIES_260K_CHATML, nCtx = 2048, wrap = (b) => b, ...serverOptions } =
    options;
  const model = await loadModel(modelPath);
  const context = await model.createContext({ nCtx });
  const backend = wrap(new ContextBackend(MODEL_ID, model, context));
  const server = startOpenAiServer(backend, { ...serverOptions, port: 0 });
  const port = Number(new URL(server.url).port);
  return {
    url: server.url,
    port,
    model,
    context,
    backend,
    client: (apiKey = options.apiKey ?? "unused") =>
      new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 }),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      context.dispose();
      model.dispose();
    },
  };
}
