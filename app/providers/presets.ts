/**
 * Provider presets: the base URL and the usual key variable of well-known
 * OpenAI-compatible services. "custom" takes any base URL: llama-server, vLLM, Ollama,
 * LM Studio, another `hearth serve`.
 *
 * @module
 */

/** A preset's id. */
export type PresetId = "openai" | "openrouter" | "huggingface" | "custom";

/** What a preset fills in. */
export interface Preset {
  /** Shown in the UI. */
  label: string;
  /** The OpenAI-compatible base URL; "" for custom (the user gives it). */
  baseUrl: string;
  /** The environment variable the service's own tools read the key from; "" = none. */
  apiKeyEnv: string;
}

/** Every preset by id. */
export const PRESETS: Readonly<Record<PresetId, Preset>> = Object.freeze({
  openai: { label: "OpenAI", baseUrl: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY" },
  openrouter: {
    label: "OpenRouter",
    baseUrl: "https://openrouter.ai/api/v1",
    apiKeyEnv: "OPENROUTER_API_KEY",
  },
  // Inference Providers' router: one OpenAI-compatible endpoint for the partner providers.
  huggingface: {
    label: "Hugging Face Inference Providers",
    baseUrl: "https://router.huggingface.co/v1",
    apiKeyEnv: "HF_TOKEN",
  },
  custom: { label: "Custom (any OpenAI-compatible URL)", baseUrl: "", apiKeyEnv: "" },
});

/** Whether `value` names a preset. */
export function isPresetId(value: unknown): value is PresetId {
  return typeof value === "string" && Object.hasOwn(PRESETS, value);
}

/** The preset whose base URL is `baseUrl`, else "custom". */
export function presetOf(baseUrl: string): PresetId {
  const found = Object.entries(PRESETS).find(([, p]) => p.baseUrl && p.baseUrl === baseUrl);
  return (found?.[0] as PresetId | undefined) ?? "custom";
}
