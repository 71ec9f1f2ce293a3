/**
 * The request mix of the soak benchmark (bench/soak.ts): short and long
 * completions, chat, streams read to the end, streams cancelled after a few chunks,
 * and malformed JSON, each with what a correct answer looks like.
 *
 * @module
 */

/** The kinds of request the soak sends. */
export type SoakKind = "short" | "chat" | "long" | "stream" | "cancel" | "malformed";

/** Share of each kind in the mix; they add up to 1. */
export const SOAK_MIX: Readonly<Record<SoakKind, number>> = {
  short: 0.35,
  chat: 0.15,
  long: 0.1,
  stream: 0.2,
  cancel: 0.1,
  malformed: 0.1,
};

/** Picks a kind from a uniform random number in [0, 1). */
export function pickKind(random: number): SoakKind {
  let sum = 0;
  for (const [kind, share] of Object.entries(SOAK_MIX) as [SoakKind, number][]) {
    sum += share;
    if (random < sum) return kind;
  }
  return "short";
}

/** How one request went. */
export interface SoakOutcome {
  kind: SoakKind;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  /** Whether the answer was what the kind expects (status and body shape). */
  ok: boolean;
  /** Milliseconds from send to the end of the body (or the cancel). */
  ms: number;
}

const PROMPTS = ["Once upon a time", "Lily went to the park", "The little dog", "Tom had a ball"];

/**
 * Sends request `i` of kind `kind` to `base` (the server's URL, without /v1), bounded
 * by `signal` (the hang timeout).
 *
 * @param eos the model's end-of-generation token, banned where a request must run long.
 */
export async function sendSoakRequest(
  base: string,
  kind: SoakKind,
  i: number,
  eos: number,
  signal: AbortSignal,
): Promise<SoakOutcome> {
  const start = performance.now();
  const prompt = PROMPTS[i % PROMPTS.length];
  const ban = { [String(eos)]: -100 };
  const post = (path: string, body: string) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal,
    });
  const json = (value: Record<string, unknown>) => JSON.stringify({ model: "soak", ...value });
  let response: Response;
  let ok = false;
  switch (kind) {
    case "short": {
      response = await post("/v1/completions", json({ prompt, max_tokens: 1 + (i % 8) }));
      ok = response.status === 200 && (await response.json()).choices?.length === 1;
      break;
    }
    case "chat": {
      const messages = [{ role: "user", content: prompt }];
      response = await post("/v1/chat/completions", json({ messages, max_tokens: 16 }));
      ok = response.status === 200 && (await response.json()).choices?.length === 1;
      break;
    }
    case "long": {
      const body = json({ prompt, max_tokens: 256, logit_bias: ban });
      response = await post("/v1/completions", body);
      ok = response.status === 200 && (await response.json()).usage?.completion_tokens === 256;
      break;
    }
    case "stream": {
      response = await post("/v1/completions", json({ prompt, max_tokens: 48, stream: true }));
      ok = response.status === 200 && (await response.text()).endsWith("data: [DONE]\n\n");
      break;
    }
    case "cancel": {
      const body = json({ prompt, max_tokens: 400, logit_bias: ban, stream: true });
      response = await post("/v1/completions", body);
      const reader = response.body!.getReader();
      let chunks = 0;
      // The client leaves after a few chunks, as a closed browser tab does.
      while (chunks < 3 && !(await reader.read()).done) chunks++;
      await reader.cancel();
      ok = response.status === 200 && chunks === 3;
      break;
    }
    case "malformed": {
      response = await post("/v1/completions", `{"model": "soak", "prompt": ${i}`);
      ok = response.status === 400 && (await response.json()).error?.code === "invalid_json";
      break;
    }
  }
  if (!response.bodyUsed) await response.body?.cancel();
  return { kind, status: response.status, ok, ms: performance.now() - start };
}
