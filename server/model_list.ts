/**
 * The models the UI offers: the bundled model plus the GGUF files found in the
 * configured model folders, each validated before it is listed as loadable.
 * Results are cached by path, size and mtime, so a listing re-reads only new or
 * changed files.
 *
 * @module
 */
import { basename, join } from "node:path";
import { checkGgufFile, type GgufFileInfo } from "../engine/gguf_check.ts";

/** A model file as the UI API lists it (docs/ui-api.md `ModelEntry`). */
export interface ModelEntry {
  path: string;
  name: string;
  size_bytes: number;
  architecture: string | null;
  context_length: number | null;
  has_chat_template: boolean;
  bundled: boolean;
  /** Why the file cannot be loaded; absent when it can. */
  error?: string;
}

/** How deep below a model folder files are looked for (LM Studio nests org/repo/file). */
const MAX_DEPTH = 4;

/** Lists and validates model files. */
export class ModelList {
  readonly #bundled: string;
  readonly #cache = new Map<string, { key: string; entry: ModelEntry }>();

  /** `bundled` is the path of the model shipped with Hearth. */
  constructor(bundled: string) {
    this.#bundled = bundled;
  }

  /** The bundled model, then every `.gguf` file below `folders`, sorted by name. */
  async list(folders: readonly string[]): Promise<ModelEntry[]> {
    const paths = new Set<string>();
    for (const folder of folders) await collect(folder, MAX_DEPTH, paths);
    paths.delete(this.#bundled);
    const found = await Promise.all([...paths].map((path) => this.#entry(path, false)));
    found.sort((a, b) => a.name.localeCompare(b.name));
    return [await this.#entry(this.#bundled, true), ...found];
  }

  async #entry(path: string, bundled: boolean): Promise<ModelEntry> {
    const stat = await Deno.stat(path).catch(() => null);
    const key = `${stat?.size}:${stat?.mtime?.getTime()}`;
    const cached = this.#cache.get(path);
    if (cached?.key === key) return cached.entry;
    const entry = await describe(path, bundled);
    this.#cache.set(path, { key, entry });
    return entry;
  }
}

async function describe(path: string, bundled: boolean): Promise<ModelEntry> {
  const base = {
    path,
    name: basename(path).replace(/\.gguf$/i, ""),
    bundled,
    has_chat_template: false,
    architecture: null,
    context_length: null,
  };
  let info: GgufFileInfo;
  try {
    info = await checkGgufFile(path);
  } catch (error) {
    const size = (await Deno.stat(path).catch(() => null))?.size ?? 0;
    return { ...base, size_bytes: size, error: (error as Error).message };
  }
  const entry: ModelEntry = {
    ...base,
    name: info.name && info.name !== info.architecture ? info.name : base.name,
    size_bytes: info.sizeBytes,
    architecture: info.architecture ?? null,
    context_length: info.contextLength ?? null,
    has_chat_template: info.chatTemplate !== undefined,
  };
  // Tokenizer-only files parse as GGUF but hold no weights.
  if (info.tensorCount === 0) entry.error = "This file holds a tokenizer only, no weights";
  return entry;
}

async function collect(dir: string, depth: number, out: Set<string>): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return; // A folder that vanished or cannot be read lists nothing.
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isFile && /\.gguf$/i.test(entry.name)) out.add(path);
    else if (entry.isDirectory && depth > 0 && !entry.name.startsWith(".")) {
      await collect(path, depth - 1, out);
    }
  }
}
