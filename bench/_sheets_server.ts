/**
 * The AI Sheets way, for bench/sheets.ts: llama-server (built from the pinned llama.cpp
 * source) started by the bench with stated flags, and each row's chat messages sent as
 * one non-streamed `/v1/chat/completions` request, `concurrency` at a time (Hugging Face
 * AI Sheets sends 5 requests at once to its inference provider).
 *
 * @module
 */
import type { ChatMessage } from "../engine/chat_template.ts";
import { launchServer, type Server } from "./_launch_server.ts";

/** A running llama-server and its command line, verbatim. */
export type LlamaServer = Server;

/** Starts `binary` with `args` plus `--host 127.0.0.1 --port P`; resolves once /health is ok. */
export function startLlamaServer(binary: string, args: string[]): Promise<LlamaServer> {
  return launchServer(binary, (port) => [...args, "--host", "127.0.0.1", "--port", String(port)]);
}

/** What the requests of one run added up to. */
export interface ServerRun {
  seconds: number;
  rows: number;
  /** Completion tokens (usage.completion_tokens). */
  tokens: number;
  /** Prompt tokens evaluated (timings.prompt_n: those not reused from the slot's cache). */
  promptDecoded: number;
  /** Prompt tokens of all requests (usage.prompt_tokens). */
  promptTotal: number;
}

/**
 * Sends one chat completion per row, `concurrency` at once, greedy, `maxTokens` each.
 *
 * @throws {Error} for a request that does not answer 200.
 */
export async function runRows(
  url: string,
  rows: readonly ChatMessage[][],
  maxTokens: number,
  concurrency: number,
): Promise<ServerRun> {
  let next = 0;
  const run: ServerRun = {
    seconds: 0,
    rows: rows.length,
    tokens: 0,
    promptDecoded: 0,
    promptTotal: 0,
  };
  const worker = async () => {
    while (next < rows.length) {
      const messages = rows[next++];
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages, max_tokens: maxTokens, temperature: 0 }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`llama-server: ${JSON.stringify(body)}`);
      run.tokens += body.usage?.completion_tokens ?? 0;
      run.promptTotal += body.usage?.prompt_tokens ?? 0;
      run.promptDecoded += body.timings?.prompt_n ?? 0;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  run.seconds = (performance.now() - started) / 1000;
  return run;
}
