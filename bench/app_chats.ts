/**
 * Chats on the app's slots, measured through the UI API of a real app (`startApp`, headless,
 * temp data folder): 4 chats replying at once against the same 4 one after another
 * (aggregate generated tokens per second, one run), and one chat's turn-10 TTFT against its
 * turn-1 TTFT (a chat that keeps its slot decodes only its new tokens). TTFT and token
 * counts are the metrics the app stores on each reply.
 *
 * ```
 * deno run -A bench/app_chats.ts [--model PATH] [--tokens 64] [--turns 10] [--chats 4]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startApp } from "../cli/app.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    tokens: { type: "string", default: "64" },
    turns: { type: "string", default: "10" },
    chats: { type: "string", default: "4" },
  },
});
const tokens = Number(values.tokens);
const turns = Number(values.turns);
const chats = Number(values.chats);
const PROMPTS = [
  "Once upon a time",
  "Tom had a red ball",
  "Lily went to the park",
  "The cat sat on the mat",
  "A little bird sang",
  "Sue found a big box",
  "The sun was hot",
  "Ben liked to run",
];

// deno-lint-ignore no-explicit-any
type Json = any;

const dataDir = await Deno.makeTempDir({ prefix: "hearth-bench-chats-" });
const app = await startApp({ dataDir, libraryRoots: [], loadDefaultModel: false });

async function api(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(app.origin + path, {
    method,
    headers: {
      authorization: `Bearer ${app.secret}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Sends `content` and reads the reply's stream to its end; returns the stored reply. */
async function turn(chatId: string, content: string, parentId: string | null): Promise<Json> {
  const sent = await api("POST", `/api/chats/${chatId}/messages`, { content, parent_id: parentId });
  const response = await fetch(`${app.origin}/api/messages/${sent.assistant.id}/stream`, {
    headers: { authorization: `Bearer ${app.secret}` },
  });
  const text = await response.text();
  const done = /event: done\ndata: (.*)/.exec(text);
  if (!done) throw new Error(`The reply failed: ${text.slice(-300)}`);
  return JSON.parse(done[1]).message;
}

async function newChat(): Promise<string> {
  // EOS can end a reply early: the token counts below are the ones generated.
  return (await api("POST", "/api/chats", { sampling: { max_tokens: tokens, seed: 42 } })).id;
}

try {
  await api("PATCH", "/api/settings", { n_parallel: Math.max(chats, 1) });
  if (values.model) await api("PATCH", "/api/settings", { default_model: values.model });
  // The first reply loads the model; a warm-up keeps that out of the figures.
  await turn(await newChat(), "Hello", null);

  const sequentialStart = performance.now();
  let sequentialTokens = 0;
  for (let i = 0; i < chats; i++) {
    const reply = await turn(await newChat(), PROMPTS[i % PROMPTS.length], null);
    sequentialTokens += reply.metrics.completion_tokens;
  }
  const sequentialMs = performance.now() - sequentialStart;

  const ids = await Promise.all(Array.from({ length: chats }, newChat));
  const parallelStart = performance.now();
  const replies = await Promise.all(
    ids.map((id, i) => turn(id, PROMPTS[(i + chats) % PROMPTS.length], null)),
  );
  const parallelMs = performance.now() - parallelStart;
  const parallelTokens = replies.reduce((n, r) => n + r.metrics.completion_tokens, 0);

  const chatId = await newChat();
  const metrics: Json[] = [];
  let parent: string | null = null;
  for (let i = 0; i < turns; i++) {
    const reply = await turn(chatId, PROMPTS[i % PROMPTS.length], parent);
    metrics.push(reply.metrics);
    parent = reply.id;
  }

  const sequentialRate = sequentialTokens / (sequentialMs / 1000);
  const parallelRate = parallelTokens / (parallelMs / 1000);
  const first = metrics[0];
  const last = metrics.at(-1);
  const loaded = (await api("GET", "/api/state")).loaded;
  console.log(`model ${loaded.path}, ${loaded.n_parallel} slots of ${loaded.n_ctx} tokens`);
  console.log(`| measure | value |\n| --- | ---: |`);
  console.log(
    `| ${chats} chats one after another | ${sequentialTokens} tokens in ${
      (sequentialMs / 1000).toFixed(2)
    } s = ${sequentialRate.toFixed(1)} tok/s |`,
  );
  console.log(
    `| ${chats} chats at once | ${parallelTokens} tokens in ${(parallelMs / 1000).toFixed(2)} s = ${
      parallelRate.toFixed(1)
    } tok/s |`,
  );
  console.log(`| at once / one after another | ${(parallelRate / sequentialRate).toFixed(2)} |`);
  console.log(
    `| turn 1 TTFT | ${
      first.ttft_ms.toFixed(1)
    } ms (prompt ${first.prompt_tokens}, cached ${first.cached_tokens}) |`,
  );
  console.log(
    `| turn ${turns} TTFT | ${
      last.ttft_ms.toFixed(1)
    } ms (prompt ${last.prompt_tokens}, cached ${last.cached_tokens}) |`,
  );
  console.log(`| turn ${turns} / turn 1 TTFT | ${(last.ttft_ms / first.ttft_ms).toFixed(2)} |`);
} finally {
  await app.close();
  await Deno.remove(dataDir, { recursive: true });
}
