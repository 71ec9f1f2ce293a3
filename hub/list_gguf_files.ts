/**
 * The GGUF files of a repository, from its tree (`GET /api/models/{repo}/tree/{rev}`),
 * with split files (`name-00001-of-00003.gguf`) grouped into one entry.
 *
 * @module
 */
import { parseGGUFQuantLabel, parseGgufShardFilename } from "@huggingface/gguf";
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";
import { fetchJson, nextLink } from "./_http.ts";
import { apiModelUrl, checkRepoId } from "./_repo.ts";

/** One file of a (possibly split) GGUF model. */
export interface GgufFilePart {
  /** Path inside the repository. */
  path: string;
  /** Size in bytes. */
  sizeBytes: number;
  /** sha256 of the content (the LFS oid), 64 hex digits; null for a non-LFS file. */
  sha256: string | null;
}

/** One downloadable GGUF model file, or one split model with all its parts. */
export interface GgufFile {
  /** The path to load: the file itself, or the first part of a split model. */
  path: string;
  /** Total size of all parts, in bytes. */
  sizeBytes: number;
  /** sha256 of the single file; null for split models (see `parts`) and non-LFS files. */
  sha256: string | null;
  /** Quantization label parsed from the name, e.g. "Q4_K_M", "UD-Q4_K_XL"; null if none. */
  quant: string | null;
  /** A multimodal projector (`mmproj` in the name), not a language model on its own. */
  isMmproj: boolean;
  /** The parts in order; one element for an unsplit file. */
  parts: GgufFilePart[];
  /** False when a split model lists fewer parts than its name says it has. */
  complete: boolean;
}

/** Options of {@link listGgufFiles}. */
export interface ListGgufFilesOptions {
  /** Branch, tag or commit. @default "main" */
  revision?: string;
  /** Aborts this call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** A tree entry, as the hub sends it. */
interface TreeEntry {
  type: "file" | "directory";
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid: string; size: number };
}

/**
 * Lists a repository's GGUF files with sizes, hashes and quantization labels. Split
 * models become one entry; mmproj files are marked. Entries are sorted by path.
 *
 * @param repo Repository id, `org/name`.
 * @param params Revision and signal.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns The files, or null when the repository or revision does not exist (or is
 *   private and the token cannot see it).
 * @throws {TypeError} `repo` is not a repository id.
 * @throws {HubError} Any other failure, after retries.
 *
 * @example Pick a file to download
 * ```ts ignore
 * import { listGgufFiles } from "./list_gguf_files.ts";
 * import { pickDefaultQuant } from "./pick_default_quant.ts";
 *
 * const files = await listGgufFiles("bartowski/Llama-3.2-1B-Instruct-GGUF", {}, {
 *   endpoint: "https://huggingface.co",
 * });
 * console.log(files && pickDefaultQuant(files)?.path);
 * ```
 */
export async function listGgufFiles(
  repo: string,
  params: ListGgufFilesOptions = {},
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): Promise<GgufFile[] | null> {
  checkRepoId(repo);
  const revision = params.revision ?? "main";
  let entries: TreeEntry[];
  try {
    entries = await listTree(repo, revision, options, params.signal);
  } catch (error) {
    if (error instanceof HubError && error.code === "not_found") return null;
    throw error;
  }
  return groupGgufFiles(entries.filter((e) => e.type === "file" && /\.gguf$/i.test(e.path)));
}

async function listTree(
  repo: string,
  revision: string,
  options: HubOptions,
  signal: AbortSignal | undefined,
): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let url: string | null = apiModelUrl(
    options.endpoint,
    repo,
    `/tree/${encodeURIComponent(revision)}?recursive=true`,
  );
  while (url !== null) {
    const context = { what: `list files of "${repo}" at "${revision}"`, repo };
    const { value, response }: { value: TreeEntry[]; response: Response } = await fetchJson<
      TreeEntry[]
    >(url, options, context, signal);
    if (Array.isArray(value)) entries.push(...value);
    const next = nextLink(response.headers.get("Link"));
    url = next === null ? null : new URL(next, url).href;
  }
  return entries;
}

/**
 * Groups tree entries of `.gguf` files into {@link GgufFile}s: shards sharing a prefix
 * and part count become one entry with parts in order.
 */
export function groupGgufFiles(entries: TreeEntry[]): GgufFile[] {
  const groups = new Map<string, { total: number; parts: Map<number, GgufFilePart> }>();
  const files: GgufFile[] = [];
  for (const entry of entries) {
    const part: GgufFilePart = {
      path: entry.path,
      sizeBytes: entry.lfs?.size ?? entry.size ?? 0,
      sha256: entry.lfs?.oid ?? null,
    };
    const shard = parseGgufShardFilename(entry.path);
    if (shard === null) {
      files.push(toFile([part], true));
      continue;
    }
    const key = `${shard.prefix}\0${shard.total}`;
    const group = groups.get(key) ?? { total: Number(shard.total), parts: new Map() };
    group.parts.set(Number(shard.shard), part);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    const parts = [...group.parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
    const complete = parts.length === group.total && group.parts.has(1) &&
      group.parts.has(group.total);
    files.push(toFile(parts, complete));
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function toFile(parts: GgufFilePart[], complete: boolean): GgufFile {
  const path = parts[0].path;
  const name = path.split("/").at(-1)!;
  return {
    path,
    sizeBytes: parts.reduce((sum, p) => sum + p.sizeBytes, 0),
    sha256: parts.length === 1 ? parts[0].sha256 : null,
    quant: parseGGUFQuantLabel(name) ?? parseGGUFQuantLabel(path) ?? null,
    isMmproj: /mmproj/i.test(path),
    parts,
    complete,
  };
}
