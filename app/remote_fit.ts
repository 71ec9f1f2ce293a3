/**
 * The memory fit of a hub file before it is downloaded: its GGUF header is read with
 * HTTP range requests, written as a sparse stand-in file of the real size
 * (engine/header_only.ts), and llama.cpp's own `no_alloc` simulation runs on it, or,
 * where it cannot, the metadata formula (engine/memory_fit.ts decides). Split models
 * get a stand-in for every part, side by side, as llama.cpp opens them.
 *
 * @module
 */
import { join } from "node:path";
import type { Engine } from "../engine/engine.ts";
import { estimateMemory, type MemoryFit } from "../engine/memory_fit.ts";
import { writeHeaderOnlyGguf } from "../engine/header_only.ts";
import { ggufHeaderRemote, HubError, type HubOptions, listGgufFiles } from "../hub/mod.ts";
import { HubFileNotFoundError } from "./errors.ts";

/** Results kept per repo, file and n_ctx: a fit costs a header download. */
const CACHE_SIZE = 64;

/** Estimates hub files' memory needs. */
export class RemoteFit {
  readonly #hub: HubOptions;
  readonly #engine: () => Promise<Engine>;
  readonly #cache = new Map<string, Promise<MemoryFit>>();

  /** `engine` gives the engine that runs the simulation. */
  constructor(hub: HubOptions, engine: () => Promise<Engine>) {
    this.#hub = hub;
    this.#engine = engine;
  }

  /**
   * The fit of `file` in `repo` with a context of `nCtx` tokens.
   *
   * @throws {HubFileNotFoundError} when the repo or file does not exist.
   * @throws {HubError} when the hub refuses (gated) or cannot be reached.
   */
  estimate(repo: string, file: string, nCtx: number): Promise<MemoryFit> {
    const key = `${repo}\n${file}\n${nCtx}`;
    let found = this.#cache.get(key);
    if (!found) {
      found = this.#estimate(repo, file, nCtx);
      found.catch(() => this.#cache.delete(key));
      this.#cache.set(key, found);
      if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return found;
  }

  async #estimate(repo: string, file: string, nCtx: number): Promise<MemoryFit> {
    const files = await listGgufFiles(repo, {}, this.#hub);
    const entry = files?.find((f) => f.path === file || f.parts.some((p) => p.path === file));
    if (!entry) throw new HubFileNotFoundError(repo, file);
    const dir = await Deno.makeTempDir({ prefix: "hearth-fit-" });
    try {
      let first = "";
      for (const part of entry.parts) {
        const header = await this.#header(repo, part.path);
        const temp = await writeHeaderOnlyGguf(header, part.sizeBytes);
        const path = join(dir, part.path.split("/").pop()!);
        await Deno.rename(temp, path);
        first ||= path;
      }
      // Without an engine the formula answers alone.
      const engine = await this.#engine().catch(() => null);
      return await estimateMemory(engine, first, { nCtx });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }

  /** The bytes of a hub file up to where its tensor data starts. */
  async #header(repo: string, file: string): Promise<Uint8Array> {
    const parsed = await ggufHeaderRemote(repo, file, {}, this.#hub);
    if (!parsed) throw new HubFileNotFoundError(repo, file);
    const end = Number(parsed.tensorDataOffset);
    const url = `${this.#hub.endpoint}/${repo}/resolve/main/${
      file.split("/").map(encodeURIComponent).join("/")
    }`;
    const response = await (this.#hub.fetch ?? fetch)(url, {
      headers: {
        range: `bytes=0-${end - 1}`,
        ...(this.#hub.token ? { authorization: `Bearer ${this.#hub.token}` } : {}),
      },
      signal: this.#hub.signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HubError(`Cannot read the header of ${repo}/${file}: HTTP ${response.status}`, {
        code: "http",
        status: response.status,
        url,
      });
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A server that ignores Range sends the whole file: keep the header only.
    return bytes.subarray(0, end);
  }
}
