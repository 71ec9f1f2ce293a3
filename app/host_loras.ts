/**
 * The LoRA adapters on the model host's loaded model: each with the host's id (for the
 * UI API's PATCH and DELETE) and its scale, in the order they were added, and the set
 * replies run with.
 *
 * @module
 */
import type { LoraAdapter, LoraEntry } from "../engine/lora.ts";
import type { LoadedLora } from "./loaded_model.ts";

/** An adapter on the loaded model: the host's id, the adapter, its scale (0 = off). */
export interface HostLora {
  id: number;
  adapter: LoraAdapter;
  scale: number;
}

/** The adapters on the loaded model; ids are never reused within one host. */
export class HostLoras {
  #entries: HostLora[] = [];
  #nextId = 1;

  /** Adds `adapter` at `scale` (checked with {@link checkScale} first). */
  add(adapter: LoraAdapter, scale: number): void {
    this.#entries.push({ id: this.#nextId++, adapter, scale });
  }

  /**
   * The adapter with `id`.
   *
   * @throws {RangeError} for an unknown id.
   */
  get(id: number): HostLora {
    const entry = this.#entries.find((l) => l.id === id);
    if (!entry) {
      throw new RangeError(`Cannot find LoRA adapter ${id}: it is not on the loaded model`);
    }
    return entry;
  }

  /** Takes `entry` off the list; the caller frees its adapter. */
  remove(entry: HostLora): void {
    this.#entries = this.#entries.filter((l) => l !== entry);
  }

  /** Forgets every adapter (they are freed with their model). */
  clear(): void {
    this.#entries = [];
  }

  /** The adapters and scales replies run with. */
  get active(): LoraEntry[] {
    return this.#entries.map(({ adapter, scale }) => ({ adapter, scale }));
  }

  /** The adapters as the UI API shows them. */
  get loaded(): LoadedLora[] {
    return this.#entries.map(({ id, adapter, scale }) => ({
      id,
      path: adapter.info.path,
      name: adapter.info.name ?? adapter.info.path.split(/[\\/]/).pop()!,
      scale,
      effective_scale: adapter.effectiveScale(scale),
    }));
  }
}

/**
 * Checks a LoRA scale.
 *
 * @throws {RangeError} for a scale that is not a finite number.
 */
export function checkScale(scale: number): void {
  if (typeof scale !== "number" || !Number.isFinite(scale)) {
    throw new RangeError(`Cannot set a LoRA scale of ${scale}: give a finite number such as 0.5`);
  }
}
