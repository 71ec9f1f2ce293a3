/**
 * Finding GGUF files below the roots: stats only, no file is read.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import type { Root } from "./roots.ts";

/** A `.gguf` file found below a root. */
export interface FoundFile {
  /** The path as found: in the HF cache, the snapshot link, not the blob. */
  path: string;
  /** The root it was found under. */
  root: Root;
  /** Size in bytes (of the link's target); 0 for a dangling link. */
  sizeBytes: number;
  /** Last modification, ms since the epoch (of the link's target). */
  mtimeMs: number;
  /** Set for a symlink whose target is missing. */
  danglingTarget?: string;
  /** Set for files in a Hugging Face cache repo folder. */
  hf?: HfFile;
}

/** Where a file sits in the Hugging Face cache. */
export interface HfFile {
  /** Repo id, "org/name" (or "name" for repos without an org). */
  repo: string;
  /** The snapshot folder's name: the commit the file was downloaded at. */
  revision: string;
  /** The blob's name when it is a sha256 (LFS files); null for git (sha1) blobs. */
  blobSha256: string | null;
  /** The blob the snapshot link points to, absolute; null when the file is not a link. */
  blobPath: string | null;
}

/**
 * How deep below a root files are looked for. LM Studio nests publisher/repo/file and
 * users nest a few folders more; the limit also bounds a walk through a huge tree.
 */
const MAX_DEPTH = 8;
/** A Hugging Face cache repo folder: `models--org--name` (datasets and spaces are skipped). */
const HF_REPO_DIR = /^models--(.+)$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a name the library indexes: `.gguf`, never a partial download. */
export function isGgufName(name: string): boolean {
  return /\.gguf$/i.test(name) && !isPartialName(name);
}

/** True for partial downloads (`.incomplete` from huggingface_hub, `.part` elsewhere). */
export function isPartialName(name: string): boolean {
  return /\.(incomplete|part)$/i.test(name);
}

/**
 * Lists the `.gguf` files below each root. A folder that is itself another root is left
 * to that root, so every file is found once, under its most specific root.
 *
 * @param roots Roots that exist.
 * @param allRootPaths Every configured root path, present or not.
 */
export async function findFiles(
  roots: readonly Root[],
  allRootPaths: ReadonlySet<string>,
): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const root of roots) {
    const walker = new Walker(root, allRootPaths, found);
    if (root.kind === "hf-cache") await walker.hfCache(root.path);
    else await walker.tree(root.path, MAX_DEPTH);
  }
  // A root inside an HF cache snapshot is reached from both: the deeper root keeps the
  // file, with what the cache says about it.
  const byPath = new Map<string, FoundFile>();
  for (const file of found) {
    const other = byPath.get(file.path);
    if (!other) byPath.set(file.path, file);
    else if (other.root.path.length < file.root.path.length) {
      byPath.set(file.path, { ...file, hf: file.hf ?? other.hf });
    }
  }
  return [...byPath.values()];
}

class Walker {
  readonly #root: Root;
  readonly #otherRoots: ReadonlySet<string>;
  readonly #out: FoundFile[];
  /** Real paths of folders already walked: a symlinked folder loop is walked once. */
  readonly #visited = new Set<string>();

  constructor(root: Root, otherRoots: ReadonlySet<string>, out: FoundFile[]) {
    this.#root = root;
    this.#otherRoots = otherRoots;
    this.#out = out;
  }

  /** Walks a plain tree; `models--*` folders in it are read as HF cache repos. */
  async tree(dir: string, depth: number): Promise<void> {
    for (const entry of await this.#enter(dir)) {
      const path = join(dir, entry.name);
      const kind = await this.#kind(entry, path);
      if (kind === "dir") {
        if (depth === 0 || entry.name.startsWith(".") || this.#otherRoots.has(path)) continue;
        const repo = HF_REPO_DIR.exec(entry.name);
        if (repo && await isDirectory(join(path, "snapshots"))) await this.#hfRepo(path, repo[1]);
        else await this.tree(path, depth - 1);
      } else if (kind !== "other" && isGgufName(entry.name)) {
        await this.#add(path, kind);
      }
    }
  }

  /** Walks a Hugging Face hub cache: only `models--*` repo folders. */
  async hfCache(dir: string): Promise<void> {
    for (const entry of await this.#enter(dir)) {
      const repo = HF_REPO_DIR.exec(entry.name);
      const path = join(dir, entry.name);
      if (repo && await this.#kind(entry, path) === "dir") await this.#hfRepo(path, repo[1]);
    }
  }

  /** One repo: every `.gguf` below `snapshots/<revision>/`. */
  async #hfRepo(repoDir: string, name: string): Promise<void> {
    // huggingface_hub writes "org/name" as "org--name"; names cannot contain "--".
    const repo = name.replaceAll("--", "/");
    const snapshots = join(repoDir, "snapshots");
    for (const entry of await this.#enter(snapshots)) {
      const path = join(snapshots, entry.name);
      if (await this.#kind(entry, path) !== "dir") continue;
      const before = this.#out.length;
      await this.tree(path, MAX_DEPTH);
      for (const file of this.#out.slice(before)) {
        file.hf = await hfFile(file.path, repo, entry.name);
      }
    }
  }

  /** Reads a folder once; a folder that vanished or cannot be read lists nothing. */
  async #enter(dir: string): Promise<Deno.DirEntry[]> {
    try {
      const real = await Deno.realPath(dir);
      if (this.#visited.has(real)) return [];
      this.#visited.add(real);
      const entries = await Array.fromAsync(Deno.readDir(dir));
      return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    } catch {
      return [];
    }
  }

  /** What an entry is, following symlinks; "dangling" for a link to nothing. */
  async #kind(
    entry: Deno.DirEntry,
    path: string,
  ): Promise<"dir" | "file" | "dangling" | "other"> {
    if (entry.isDirectory) return "dir";
    if (entry.isFile) return "file";
    if (!entry.isSymlink) return "other";
    try {
      const stat = await Deno.stat(path);
      return stat.isDirectory ? "dir" : stat.isFile ? "file" : "other";
    } catch (error) {
      return error instanceof Deno.errors.NotFound ? "dangling" : "other";
    }
  }

  async #add(path: string, kind: "file" | "dangling"): Promise<void> {
    if (kind === "dangling") {
      const target = await Deno.readLink(path).catch(() => "?");
      this.#out.push({ path, root: this.#root, sizeBytes: 0, mtimeMs: 0, danglingTarget: target });
      return;
    }
    try {
      const stat = await Deno.stat(path);
      const mtimeMs = stat.mtime?.getTime() ?? 0;
      this.#out.push({ path, root: this.#root, sizeBytes: stat.size, mtimeMs });
    } catch {
      // Removed since the folder was read: the next scan will not see it either.
    }
  }
}

async function hfFile(path: string, repo: string, revision: string): Promise<HfFile> {
  let target: string;
  try {
    target = await Deno.readLink(path);
  } catch {
    // A copy instead of a link (filesystems without symlinks): no blob to name it.
    return { repo, revision, blobSha256: null, blobPath: null };
  }
  const blob = basename(target);
  const blobPath = resolve(dirname(path), target);
  return { repo, revision, blobSha256: SHA256_HEX.test(blob) ? blob : null, blobPath };
}

async function isDirectory(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => null))?.isDirectory ?? false;
}
