/**
 * LoRA adapters of the served model as llama-server exposes them (tools/server
 * README at the pinned commit): ids 0, 1, ... in load order, global scales that
 * `POST /lora-adapters` sets, and a per-request `lora: [{id, scale}]` field. In both,
 * an adapter left out of the list gets scale 0; a request without `lora` (or with an
 * empty one) uses the global scales.
 *
 * @module
 */
import type { LoraAdapter, LoraEntry } from "../../engine/lora.ts";
import { invalidValue, wrongType } from "./fields.ts";

/** One `{id, scale}` entry of a request or of `POST /lora-adapters`. */
export interface LoraScaleRequest {
  /** The adapter's id in `GET /lora-adapters`. */
  id: number;
  /** Its scale; 0 = off. */
  scale: number;
}

/** An adapter as `GET /lora-adapters` lists it. */
export interface LoraAdapterJson {
  id: number;
  path: string;
  scale: number;
}

/** The served model's adapters and their global scales. */
export class ServedLoras {
  readonly #adapters: { adapter: LoraAdapter; path: string; scale: number }[];

  /**
   * Serves `adapters` (loaded on the served model), ids in this order; `scale` is each
   * one's global scale at start (llama-server: 1 for `--lora`, the given one for
   * `--lora-scaled`).
   */
  constructor(adapters: readonly { adapter: LoraAdapter; scale: number }[] = []) {
    this.#adapters = adapters.map(({ adapter, scale }) => ({
      adapter,
      path: adapter.info.path,
      scale,
    }));
  }

  /** The adapters with their global scales. */
  list(): LoraAdapterJson[] {
    return this.#adapters.map(({ path, scale }, id) => ({ id, path, scale }));
  }

  /**
   * Sets the global scales from a `POST /lora-adapters` body; adapters left out get 0.
   *
   * @throws {OpenAiError} 400 for a body that is not such a list.
   */
  setGlobal(body: unknown): void {
    const scales = this.#read(body, "body");
    this.#adapters.forEach((entry, id) => entry.scale = scales.get(id) ?? 0);
  }

  /**
   * The adapters a request runs with: its `lora` field when non-empty (adapters left
   * out get 0), else the global scales.
   *
   * @throws {OpenAiError} 400 for a malformed field or an unknown id.
   */
  forRequest(field: unknown): LoraEntry[] {
    const scales = field === undefined || field === null ? undefined : this.#read(field, "lora");
    const useGlobal = scales === undefined || scales.size === 0;
    return this.#adapters.map(({ adapter, scale }, id) => ({
      adapter,
      scale: useGlobal ? scale : scales.get(id) ?? 0,
    }));
  }

  #read(value: unknown, param: string): Map<number, number> {
    if (!Array.isArray(value)) throw wrongType(param, "an array of {id, scale}", value);
    const scales = new Map<number, number>();
    value.forEach((entry, i) => {
      const at = `${param}[${i}]`;
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        throw wrongType(at, "an object with id and scale", entry);
      }
      const { id, scale } = entry as Record<string, unknown>;
      if (typeof id !== "number" || !Number.isInteger(id)) {
        throw wrongType(`${at}.id`, "an integer", id);
      }
      if (id < 0 || id >= this.#adapters.length) {
        throw invalidValue(
          `${at}.id`,
          this.#adapters.length === 0
            ? `no LoRA adapter is loaded (start the server with --lora FILE)`
            : `${id} is not a loaded adapter; GET /lora-adapters lists ids 0 to ${
              this.#adapters.length - 1
            }`,
        );
      }
      // llama-server reads a missing scale as 0.
      if (scale !== undefined && (typeof scale !== "number" || !Number.isFinite(scale))) {
        throw wrongType(`${at}.scale`, "a number", scale);
      }
      scales.set(id, scale ?? 0);
    });
    return scales;
  }
}
