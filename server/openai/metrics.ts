/**
 * Counters of the OpenAI server and their Prometheus text exposition (`GET /metrics`).
 * One instance per server, made by `createOpenAiApp`.
 *
 * @module
 */
import type { GenerationMetrics } from "../../engine/types.ts";
import type { CompletionBackend } from "./backend.ts";

/** Counts requests and tokens; renders them with the backend's load. */
export class ServerMetrics {
  readonly #requests = new Map<string, number>();
  #generations = 0;
  #promptTokens = 0;
  #promptEvalTokens = 0;
  #generatedTokens = 0;
  #promptMs = 0;
  #genMs = 0;
  #draftTokens = 0;
  #draftAccepted = 0;

  /** Counts one answered request; `endpoint` is the route, never the raw path. */
  countRequest(endpoint: string, status: number): void {
    const key = `endpoint="${endpoint}",status="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  /** Adds a finished generation's token counts and timings. */
  recordGeneration(metrics: GenerationMetrics): void {
    this.#generations++;
    this.#promptTokens += metrics.promptTokens;
    this.#promptEvalTokens += metrics.promptEvalTokens;
    this.#generatedTokens += metrics.generatedTokens;
    this.#promptMs += metrics.promptMs;
    this.#genMs += metrics.genMs;
    this.#draftTokens += metrics.draftTokens ?? 0;
    this.#draftAccepted += metrics.draftAcceptedTokens ?? 0;
  }

  /** The Prometheus text format (version 0.0.4). */
  render(load: ReturnType<CompletionBackend["load"]>): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) {
        out.push(`${name}${labels ? `{${labels}}` : ""} ${Number.isFinite(value) ? value : 0}`);
      }
    };
    const requests = [...this.#requests].sort(([a], [b]) => a.localeCompare(b));
    metric(
      "hearth_requests_total",
      "counter",
      "HTTP requests answered, by endpoint and status.",
      requests,
    );
    const perSecond = (tokens: number, ms: number) => ms > 0 ? (tokens * 1000) / ms : 0;
    const single: [string, string, string, number][] = [
      ["hearth_generations_total", "counter", "Generations finished.", this.#generations],
      [
        "hearth_prompt_tokens_total",
        "counter",
        "Prompt tokens, cached or not.",
        this.#promptTokens,
      ],
      ["hearth_generated_tokens_total", "counter", "Tokens generated.", this.#generatedTokens],
      [
        "hearth_prompt_tokens_per_second",
        "gauge",
        "Prompt tokens decoded per second, over all generations.",
        perSecond(this.#promptEvalTokens, this.#promptMs),
      ],
      [
        "hearth_generated_tokens_per_second",
        "gauge",
        "Tokens generated per second, over all generations.",
        perSecond(this.#generatedTokens, this.#genMs),
      ],
      // llama-server's spec_decode_num_draft_tokens_total and _accepted_tokens_total.
      [
        "hearth_spec_decode_num_draft_tokens_total",
        "counter",
        "Speculative decoding: tokens drafted by the draft model.",
        this.#draftTokens,
      ],
      [
        "hearth_spec_decode_num_accepted_tokens_total",
        "counter",
        "Speculative decoding: drafted tokens the model accepted.",
        this.#draftAccepted,
      ],
      ["hearth_requests_queued", "gauge", "Requests waiting for a slot.", load.queued],
      ["hearth_slots_busy", "gauge", "Slots generating.", load.slotsBusy],
      ["hearth_slots_total", "gauge", "Slots of the served model.", load.slotsTotal],
    ];
    for (const [name, type, help, value] of single) metric(name, type, help, [["", value]]);
    return out.join("\n") + "\n";
  }
}
