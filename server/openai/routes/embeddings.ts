/**
 * `POST /v1/embeddings`: L2-normalized embeddings of a string or an array of
 * strings, as float arrays or base64 (little-endian float32, what the openai SDK
 * asks for by default). Unknown fields (Ollama's `keep_alive`, `options`, `truncate`)
 * are ignored and named in `X-Hearth-Ignored-Fields`.
 *
 * @module
 */
import { Hono } from "hono";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { invalidRequest } from "../errors.ts";
import {
  invalidValue,
  optionalChoice,
  optionalNumber,
  optionalString,
  wrongType,
} from "../fields.ts";
import { checkModel } from "../model_field.ts";
import { RequestFields, withIgnoredFields } from "../request_fields.ts";

const FIELDS = new Set(["model", "input", "encoding_format", "dimensions", "user"]);
/** OpenAI's limit of inputs per request. */
const MAX_INPUTS = 2048;

/** The embeddings route, mounted at `/v1/embeddings`. */
export function embeddingsRoute(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  route.post("/", async (c) => {
    const body = c.var.body;
    const fields = new RequestFields(body);
    fields.ignoreUnknown(body, FIELDS);
    checkModel(body.model, deps.backend.id, deps.backend.aliases);
    const texts = readInput(body.input);
    const format = optionalChoice(body.encoding_format, "encoding_format", ["float", "base64"]) ??
      "float";
    const nEmbd = deps.backend.info.nEmbd;
    const dimensions = optionalNumber(body.dimensions, "dimensions", { integer: true, min: 1 });
    if (dimensions !== undefined && dimensions !== nEmbd) {
      throw invalidValue(
        "dimensions",
        `this model's embeddings have ${nEmbd} dimensions, not ${dimensions}`,
      );
    }
    optionalString(body.user, "user");
    const vectors = await deps.backend.embed(texts);
    let promptTokens = 0;
    for (const text of texts) promptTokens += (await deps.backend.tokenize(text)).length;
    return withIgnoredFields(
      c.json({
        object: "list",
        data: vectors.map((vector, index) => ({
          object: "embedding",
          index,
          embedding: format === "base64" ? toBase64(vector) : vector,
        })),
        model: deps.backend.id,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      }),
      fields.ignored,
    );
  });
  return route;
}

function readInput(value: unknown): string[] {
  if (value === undefined || value === null) {
    throw invalidRequest(
      "Missing required parameter: 'input'.",
      "input",
      "missing_required_parameter",
    );
  }
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw wrongType("input", "a string or an array of strings", value);
  if (list.length === 0 || list.length > MAX_INPUTS) {
    throw invalidValue("input", `expected 1 to ${MAX_INPUTS} inputs, but got ${list.length}`);
  }
  return list.map((text, i) => {
    const param = typeof value === "string" ? "input" : `input[${i}]`;
    if (typeof text !== "string") {
      throw invalidRequest(
        `Invalid type for '${param}': this server embeds text; token arrays are not supported.`,
        param,
        "invalid_type",
      );
    }
    if (text === "") throw invalidValue(param, "empty string");
    return text;
  });
}

function toBase64(vector: readonly number[]): string {
  const bytes = new Uint8Array(Float32Array.from(vector).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
