/**
 * Chats on the app's slots, measured through the UI API of a real app (`startApp`, headless,
 * temp data folder): 4 chats replying at once against the same 4 one after another
 * (aggregate generated tokens per second), and one chat's turn-10 TTFT against its turn-1
 * TTFT (a chat that keeps its slot decodes only its new tokens). TTFT and token counts are
 * the metrics the app stores on each reply. Each round measures both modes, in turns
 * first, and a fresh chat's turns; ratios are per round, then their median.
 *
 * ```
 * deno run -A bench/app_chats.ts [--model PATH] [--tokens 64] [--turns 10] [--chats 4] [--rounds 3]
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
    rounds: { type: "string", default: "3" },
  },
});
const tokens = Number(values.tokens);
const turns = Number(values.turns);
const chats = Number(values.chats);
const rounds = Number(values.rounds);
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

  let prompt = 0;
  const nextPrompt = () => `${PROMPTS[prompt % PROMPTS.length]} ${prompt++}`;
  /** Replies of `chats` fresh chats, at once or one after another: tokens and wall time. */
  const replies = async (atOnce: boolean) => {
    const ids = await Promise.all(Array.from({ length: chats }, newChat));
    const start = performance.now();
    const done = atOnce
      ? await Promise.all(ids.map((id) => turn(id, nextPrompt(), null)))
      : await ids.reduce<Promise<Json[]>>(
        async (all, id) => [...await all, await turn(id, nextPrompt(), null)],
        Promise.resolve([]),
      );
    const ms = performance.now() - start;
    const generated = done.reduce((n, r) => n + r.metrics.completion_tokens, 0);
    return { generated, ms, rate: generated / (ms / 1000) };
  };
  const fmt = (m: { generated: number; ms: number; rate: number }) =>
    `${m.generated} tokens in ${(m.ms / 1000).toFixed(2)} s = ${m.rate.toFixed(1)} tok/s`;
  const rows: string[] = [];
  const speedups: number[] = [];
  const ttftRatios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate which mode goes first, so a drift in machine load favours neither.
    const first = await replies(round % 2 === 0);
    const second = await replies(round % 2 !== 0);
    const [atOnce, oneByOne] = round % 2 === 0 ? [first, second] : [second, first];
    speedups.push(atOnce.rate / oneByOne.rate);
    rows.push(`| ${round} | ${chats} one after another | ${fmt(oneByOne)} |`);
    rows.push(`| ${round} | ${chats} at once | ${fmt(atOnce)} |`);
    rows.push(`| ${round} | at once / one after another | ${speedups.at(-1)!.toFixed(2)} |`);

    const chatId = await newChat();
    const metrics: Json[] = [];
    let parent: string | null = null;
    for (let i = 0; i < turns; i++) {
      const reply = await turn(chatId, nextPrompt(), parent);
      metrics.push(reply.metrics);
      parent = reply.id;
    }
    const [t1, tn] = [metrics[0], metrics.at(-1)];
    ttftRatios.push(tn.ttft_ms / t1.ttft_ms);
    const ttft = (m: Json) =>
      `${m.ttft_ms.toFixed(1)} ms (prompt ${m.prompt_tokens}, cached ${m.cached_tokens})`;
    rows.push(`| ${round} | turn 1 TTFT | ${ttft(t1)} |`);
    rows.push(`| ${round} | turn ${turns} TTFT | ${ttft(tn)} |`);
    rows.push(`| ${round} | turn ${turns} / turn 1 TTFT | ${ttftRatios.at(-1)!.toFixed(2)} |`);
  }
  const loaded = (await api("GET", "/api/state")).loaded;
  console.log(`model ${loaded.path}, ${loaded.n_parallel} slots of ${loaded.n_ctx} tokens`);
  console.log(`| round | measure | value |\n| --- | --- | ---: |`);
  console.log(rows.join("\n"));
  console.log(`| median | at once / one after another | ${median(speedups).toFixed(2)} |`);
  console.log(`| median | turn ${turns} / turn 1 TTFT | ${median(ttftRatios).toFixed(2)} |`);
} finally {
  await app.close();
  await Deno.remove(dataDir, { recursive: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
