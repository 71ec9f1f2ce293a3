/**
 * Resumable, verified downloads into the Hugging Face cache (see `_cache_layout.ts`):
 * bytes go to `blobs/{etag}.incomplete`, are checked against the published sha256 (or
 * git oid and size), and only then renamed into place and linked from the snapshot.
 *
 * @module
 */
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";
import { anySignal, type RequestContext } from "./_http.ts";
import {
  type CachePaths,
  cachePaths,
  exists,
  linkSnapshot,
  pointerPath,
  readRef,
  writeRef,
} from "./_cache_layout.ts";
import { availableBytes, checkDiskSpace } from "./_disk_space.ts";
import { acquireLock } from "./_file_lock.ts";
import { gitBlobSha1, sha256 } from "./_hash_file.ts";
import { type DownloadProgress, ProgressMeter } from "./_progress.ts";
import { checkRepoId, checkRepoPath, isCommitHash, repoFolderName, resolveUrl } from "./_repo.ts";
import { type ResolvedFile, resolveFile } from "./_resolve.ts";
import type { RetryPolicy } from "./_retry.ts";
import { transfer } from "./_transfer.ts";
import { join } from "node:path";

export type { DownloadProgress } from "./_progress.ts";
export type { ResolvedFile } from "./_resolve.ts";

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  /**
   * The hub cache directory: the caller's resolved `$HF_HUB_CACHE`, `$HF_HOME/hub` or
   * `~/.cache/huggingface/hub` (see `hubCacheDir`).
   */
  cacheDir: string;
  /** Branch, tag or commit. @default "main" */
  revision?: string;
  /**
   * The sha256 the file must have (e.g. a tree entry's LFS oid), checked in addition to
   * the one the hub sends with the download.
   */
  sha256?: string;
  /** Progress, at most every 250 ms and once at the end; a throwing callback is ignored. */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Called once the file is resolved and the download is about to move bytes, with the
   * paths involved (the `.incomplete` file a pause leaves behind).
   */
  onStart?: (file: ResolvedFile & { partialPath: string; blobPath: string }) => void;
  /** Aborts the download; the partial file stays for a later resume. */
  signal?: AbortSignal;
  /**
   * Retries per failure streak; a retry that made progress resets the count. 0 = none.
   * @default 5
   */
  maxRetries?: number;
  /** Wait before the first retry, in milliseconds; doubles each retry. @default 1000 */
  retryDelayMs?: number;
  /** Longest wait between retries, `Retry-After` included, in milliseconds. @default 60000 */
  maxRetryDelayMs?: number;
  /** A connection silent for this long is dropped and retried, in milliseconds. @default 60000 */
  stallTimeoutMs?: number;
}

/** A file in the cache. */
export interface DownloadResult {
  /** The snapshot path to open: `{cacheDir}/models--org--name/snapshots/{commit}/{file}`. */
  path: string;
  /** The content-addressed blob the snapshot path links to. */
  blobPath: string;
  /** The commit the revision resolved to. */
  commit: string;
  /** The blob's name: the sha256 for LFS files, the git oid otherwise. */
  etag: string;
  /** Size in bytes. */
  sizeBytes: number;
  /** False when the file was already in the cache and nothing was downloaded. */
  downloaded: boolean;
}

/**
 * Downloads a file from a hub repository into the Hugging Face cache, resuming any
 * partial download of the same content (from this process or an earlier one).
 *
 * @param repo Repository id, `org/name`.
 * @param file Path of the file in the repository.
 * @param params Cache directory, revision, progress, signal, retries.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns Where the file is; `downloaded: false` if it was already there.
 * @throws {TypeError} `repo`, `file` or `revision` is malformed.
 * @throws {HubError} "not_found" (404), "unauthorized" (gated or private: accept the
 *   license or set HF_TOKEN), "integrity" (hash or size mismatch; the partial file is
 *   deleted), or network, 429 and 5xx failures once retries run out.
 * @throws {DiskSpaceError} The file will not fit; nothing was written.
 * @throws The signal's reason when aborted; the partial file stays.
 *
 * @example
 * ```ts ignore
 * import { downloadFile } from "./download_file.ts";
 *
 * const result = await downloadFile("ggml-org/models", "tinyllamas/stories260K.gguf", {
 *   cacheDir: "/home/ada/.cache/huggingface/hub",
 *   onProgress: (p) => console.log(p.downloadedBytes, p.totalBytes, p.etaSeconds),
 * }, { endpoint: "https://huggingface.co" });
 * console.log(result.path);
 * ```
 */
export async function downloadFile(
  repo: string,
  file: string,
  params: DownloadFileOptions,
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): Promise<DownloadResult> {
  checkRepoId(repo);
  checkRepoPath(file);
  const revision = params.revision ?? "main";
  checkRepoPath(revision);
  const expected = params.sha256?.toLowerCase();
  if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
    throw new TypeError(`Cannot verify "${file}" against sha256 "${params.sha256}": not 64 hex`);
  }
  const signal = anySignal(params.signal, options.signal);
  const context = { what: `download "${repo}/${file}"`, repo };
  if (isCommitHash(revision)) {
    const cached = await cachedResult(params.cacheDir, repo, revision, file);
    if (cached) return cached;
  }
  const policy: RetryPolicy = {
    maxRetries: params.maxRetries ?? 5,
    initialDelayMs: params.retryDelayMs ?? 1000,
    maxDelayMs: params.maxRetryDelayMs ?? 60_000,
  };
  let resolved: ResolvedFile;
  try {
    const url = resolveUrl(options.endpoint, repo, revision, file);
    resolved = await resolveFile(url, options, context, policy, signal);
    // fetch the bytes at the resolved commit, so a branch moving mid-download (or between
    // a pause and its resume) cannot mix two versions in one partial file
    if (resolved.url === url) {
      resolved.url = resolveUrl(options.endpoint, repo, resolved.commit, file);
    }
  } catch (error) {
    // offline: serve what the cache has for this revision, as huggingface_hub does
    const offline = error instanceof HubError && error.code === "network";
    const cached = offline ? await cachedRevision(params.cacheDir, repo, revision, file) : null;
    if (cached) return cached;
    throw error;
  }
  const paths = cachePaths(params.cacheDir, repo, resolved.commit, file, resolved.etag);
  const present = await linkExisting(paths, resolved, revision);
  if (present) return present;
  using _lock = await acquireLock(paths.lock, signal);
  const presentNow = await linkExisting(paths, resolved, revision); // another writer finished
  if (presentNow) return presentNow;
  await fetchBlob(
    paths,
    resolved,
    { ...params, sha256: expected, signal },
    options,
    context,
    policy,
  );
  await linkSnapshot(paths.blob, paths.pointer);
  if (revision !== resolved.commit) await writeRef(paths.storage, revision, resolved.commit);
  return result(paths, resolved, (await Deno.stat(paths.blob)).size, true);
}

/** Downloads and verifies the blob, then renames it into place. */
async function fetchBlob(
  paths: CachePaths,
  resolved: ResolvedFile,
  params: DownloadFileOptions,
  options: HubOptions,
  context: RequestContext,
  policy: RetryPolicy,
): Promise<void> {
  const blobsDir = join(paths.storage, "blobs");
  await Deno.mkdir(blobsDir, { recursive: true });
  if (resolved.sizeBytes !== null) {
    const partialBytes = await Deno.stat(paths.partial).then((s) => s.size, () => 0);
    const needed = Math.max(0, resolved.sizeBytes - partialBytes);
    checkDiskSpace(blobsDir, needed, await availableBytes(blobsDir));
  }
  params.onStart?.({ ...resolved, partialPath: paths.partial, blobPath: paths.blob });
  // a file kept in git has no published sha256, but its etag is the git blob sha1
  const gitOid = resolved.sha256 === null && /^[0-9a-f]{40}$/.test(resolved.etag) &&
      resolved.sizeBytes !== null
    ? resolved.etag
    : null;
  const meter = new ProgressMeter(params.onProgress ?? (() => {}), 0, resolved.sizeBytes);
  const { sizeBytes, hashes } = await transfer({
    url: resolved.url,
    partial: paths.partial,
    sizeBytes: resolved.sizeBytes,
    newHashes: () => gitOid ? [sha256(), gitBlobSha1(resolved.sizeBytes!)] : [sha256()],
    options,
    context,
    policy,
    stallTimeoutMs: params.stallTimeoutMs ?? 60_000,
    meter,
    signal: params.signal,
  }).catch(async (error) => {
    if (error instanceof HubError && error.code === "integrity") {
      await Deno.remove(paths.partial).catch(() => {});
    }
    throw error;
  });
  const actual = hashes[0].digest("hex");
  const wrongSha = [resolved.sha256, params.sha256].find((want) => want && want !== actual);
  const mismatch = wrongSha
    ? `sha256 ${actual}, expected ${wrongSha}`
    : gitOid && hashes[1].digest("hex") !== gitOid
    ? `git oid differs from ETag ${gitOid}`
    : resolved.sizeBytes !== null && sizeBytes !== resolved.sizeBytes
    ? `${sizeBytes} bytes, expected ${resolved.sizeBytes}`
    : null;
  if (mismatch) {
    await Deno.remove(paths.partial).catch(() => {});
    throw new HubError(
      `Cannot ${context.what}: the downloaded bytes do not match (${mismatch}); the partial ` +
        `file was deleted, try again`,
      { code: "integrity", status: 0, url: resolved.url },
    );
  }
  await Deno.rename(paths.partial, paths.blob);
}

/** Links an already present blob into the snapshot; null if the blob is missing. */
async function linkExisting(
  paths: CachePaths,
  resolved: ResolvedFile,
  revision: string,
): Promise<DownloadResult | null> {
  if (!(await exists(paths.blob))) return null;
  if (!(await sameFile(paths.pointer, paths.blob))) await linkSnapshot(paths.blob, paths.pointer);
  if (revision !== resolved.commit) await writeRef(paths.storage, revision, resolved.commit);
  return result(paths, resolved, (await Deno.stat(paths.blob)).size, false);
}

async function sameFile(pointer: string, blob: string): Promise<boolean> {
  try {
    return (await Deno.realPath(pointer)) === (await Deno.realPath(blob));
  } catch {
    return false;
  }
}

/** The cached file of `revision` (via `refs/`), for offline use; null if absent. */
async function cachedRevision(
  cacheDir: string,
  repo: string,
  revision: string,
  file: string,
): Promise<DownloadResult | null> {
  const commit = isCommitHash(revision)
    ? revision
    : await readRef(join(cacheDir, repoFolderName(repo)), revision);
  return commit === null ? null : await cachedResult(cacheDir, repo, commit, file);
}

/** The cached file at `commit`, or null if the snapshot has no such file. */
async function cachedResult(
  cacheDir: string,
  repo: string,
  commit: string,
  file: string,
): Promise<DownloadResult | null> {
  const pointer = pointerPath(cacheDir, repo, commit, file);
  try {
    const blobPath = await Deno.realPath(pointer);
    const etag = blobPath.split(/[\\/]/).at(-1)!;
    const { size } = await Deno.stat(blobPath);
    return { path: pointer, blobPath, commit, etag, sizeBytes: size, downloaded: false };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function result(
  paths: CachePaths,
  resolved: ResolvedFile,
  sizeBytes: number,
  downloaded: boolean,
): DownloadResult {
  return {
    path: paths.pointer,
    blobPath: paths.blob,
    commit: resolved.commit,
    etag: resolved.etag,
    sizeBytes,
    downloaded,
  };
}
