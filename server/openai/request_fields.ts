/**
 * A request body as the completion routes read it: the body's own fields, with
 * Ollama's `options` object filling in those the body lacks, and the list of fields
 * the server ignored. Unknown fields are ignored rather than refused, as
 * llama-server, LM Studio and Ollama do; the response names them in the
 * `X-Hearth-Ignored-Fields` header, together with known fields this engine cannot
 * honour. Type errors in known fields remain 400s.
 *
 * @module
 */
import { type JsonObject, optionalObject } from "./fields.ts";

/** The response header listing ignored request fields, comma-separated. */
export const IGNORED_FIELDS_HEADER = "X-Hearth-Ignored-Fields";

/**
 * Ollama's per-request `options` that mean the same as a body field, by Ollama name.
 * Every other key of `options` (the load-time ones such as `num_ctx`, `num_gpu`,
 * `use_mmap`, and anything unknown) is ignored and listed as `options.<key>`.
 */
const OLLAMA_OPTIONS: Readonly<Record<string, string>> = {
  temperature: "temperature",
  top_k: "top_k",
  top_p: "top_p",
  min_p: "min_p",
  typical_p: "typical_p",
  repeat_penalty: "repeat_penalty",
  repeat_last_n: "repeat_last_n",
  presence_penalty: "presence_penalty",
  frequency_penalty: "frequency_penalty",
  seed: "seed",
  stop: "stop",
  num_predict: "n_predict",
  num_keep: "n_keep",
  mirostat: "mirostat",
  mirostat_tau: "mirostat_tau",
  mirostat_eta: "mirostat_eta",
};

/** Body field name to Ollama option name, for the options that map onto one. */
const FROM_OLLAMA: ReadonlyMap<string, string> = new Map(
  Object.entries(OLLAMA_OPTIONS).map(([ollama, field]) => [field, ollama]),
);

/** The fields of one request body, and what the server ignored of them. */
export class RequestFields {
  /** The parsed body. */
  readonly body: JsonObject;
  readonly #options: JsonObject | undefined;
  readonly #ignored: string[] = [];

  /**
   * Wraps `body`, reading its Ollama `options` object if it has one.
   *
   * @throws {OpenAiError} 400 when `options` is not an object.
   */
  constructor(body: JsonObject) {
    this.body = body;
    this.#options = optionalObject(body.options, "options");
  }

  /**
   * The value of field `name`: the body's own unless absent or null, else the Ollama
   * option of the same meaning (`num_predict` for `n_predict`), else undefined.
   */
  get(name: string): unknown {
    const own = this.body[name];
    if (own !== undefined && own !== null) return own;
    const ollama = FROM_OLLAMA.get(name);
    return ollama === undefined ? undefined : this.#options?.[ollama];
  }

  /** The path to name in errors about field `name`: "top_k" or "options.top_k". */
  param(name: string): string {
    const own = this.body[name];
    if (own !== undefined && own !== null) return name;
    const ollama = FROM_OLLAMA.get(name);
    return ollama !== undefined && this.#options?.[ollama] !== undefined
      ? `options.${ollama}`
      : name;
  }

  /** Whether field `name` is given (in the body or through `options`). */
  has(name: string): boolean {
    const value = this.get(name);
    return value !== undefined && value !== null;
  }

  /** Records field `name` (as {@link param} names it) as given but not honoured. */
  ignore(name: string): void {
    this.ignorePath(this.param(name));
  }

  /** Records a field path (e.g. "stream_options.foo") as ignored. */
  ignorePath(path: string): void {
    if (!this.#ignored.includes(path)) this.#ignored.push(path);
  }

  /**
   * Records every key of `object` outside `known` as ignored, under `prefix`; for the
   * body itself (no prefix) when `known` has "options", also the keys of `options`
   * that map onto no body field.
   */
  ignoreUnknown(object: JsonObject, known: ReadonlySet<string>, prefix = ""): void {
    for (const key of Object.keys(object)) {
      if (!known.has(key)) this.ignorePath(prefix === "" ? key : `${prefix}.${key}`);
    }
    if (prefix !== "" || this.#options === undefined || !known.has("options")) return;
    for (const key of Object.keys(this.#options)) {
      if (!(key in OLLAMA_OPTIONS)) this.ignorePath(`options.${key}`);
    }
  }

  /** The ignored field paths, in the order found. */
  get ignored(): readonly string[] {
    return this.#ignored;
  }
}

/**
 * Adds the {@link IGNORED_FIELDS_HEADER} to `response` when `ignored` is not empty.
 *
 * @returns The same response.
 */
export function withIgnoredFields(response: Response, ignored: readonly string[]): Response {
  if (ignored.length > 0) response.headers.set(IGNORED_FIELDS_HEADER, ignored.join(", "));
  return response;
}
