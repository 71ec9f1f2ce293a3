/**
 * The Hugging Face cache layout, as huggingface_hub writes it:
 *
 * ```
 * {cacheDir}/models--{org}--{name}/
 *   blobs/{etag}                 file content, named by its sha256 (LFS) or git oid
 *   blobs/{etag}.incomplete      a download in progress: the resume state
 *   snapshots/{commit}/{file}    relative symlink to ../../blobs/{etag}
 *   refs/{revision}              the commit hash the branch or tag pointed at
 * {cacheDir}/.locks/models--{org}--{name}/{etag}.lock   one writer per blob
 * ```
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { repoFolderName } from "./_repo.ts";

/** The paths of one file in the cache. */
export interface CachePaths {
  /** `{cacheDir}/models--org--name`. */
  storage: string;
  /** The content, named by etag. */
  blob: string;
  /** The blob while it downloads. */
  partial: string;
  /** The symlink users open. */
  pointer: string;
  /** The lock file guarding the blob. */
  lock: string;
}

/** Computes the cache paths of `file` at `commit` whose content has `etag`. */
export function cachePaths(
  cacheDir: string,
  repo: string,
  commit: string,
  file: string,
  etag: string,
): CachePaths {
  const folder = repoFolderName(repo);
  const storage = join(cacheDir, folder);
  const blob = join(storage, "blobs", etag);
  return {
    storage,
    blob,
    partial: `${blob}.incomplete`,
    pointer: join(storage, "snapshots", commit, ...file.split("/")),
    lock: join(cacheDir, ".locks", folder, `${etag}.lock`),
  };
}

/** The snapshot path of `file` at `commit`, for lookups before the etag is known. */
export function pointerPath(cacheDir: string, repo: string, commit: string, file: string): string {
  return join(cacheDir, repoFolderName(repo), "snapshots", commit, ...file.split("/"));
}

/** True if `path` exists; symlinks must resolve to an existing file. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Points `pointer` at `blob` with a relative symlink (the cache keeps working when
 * moved); copies the blob where symlinks are not allowed (Windows without developer mode),
 * as huggingface_hub does.
 */
export async function linkSnapshot(blob: string, pointer: string): Promise<void> {
  await Deno.mkdir(dirname(pointer), { recursive: true });
  await Deno.remove(pointer).catch(() => {});
  try {
    await Deno.symlink(relative(dirname(pointer), blob), pointer, { type: "file" });
  } catch {
    await Deno.copyFile(blob, pointer);
  }
}

/** Writes `refs/{revision}` = `commit` atomically (temporary file, then rename). */
export async function writeRef(storage: string, revision: string, commit: string): Promise<void> {
  const path = join(storage, "refs", ...revision.split("/"));
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, commit);
  await Deno.rename(temporary, path);
}

/** Reads `refs/{revision}`, or null if absent. */
export async function readRef(storage: string, revision: string): Promise<string | null> {
  try {
    return (await Deno.readTextFile(join(storage, "refs", ...revision.split("/")))).trim();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The size of a file in bytes, or 0 when it does not exist. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}
