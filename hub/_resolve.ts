/**
 * What a file is before downloading it: a `HEAD` on the resolve endpoint without
 * following the CDN redirect, whose headers carry the commit (`X-Repo-Commit`), the
 * content hash (`X-Linked-Etag`, the LFS sha256) and size (`X-Linked-Size`).
 *
 * @module
 */
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { hubFetch, type RequestContext } from "./_http.ts";
import type { RetryPolicy } from "./_retry.ts";

/** A file as the hub describes it. */
export interface ResolvedFile {
  /** The resolve URL; GET it (following the redirect) for the bytes. */
  url: string;
  /** The commit the revision points at, 40 hex digits. */
  commit: string;
  /** The content's id, unquoted: the sha256 for LFS files, the git blob sha1 otherwise. */
  etag: string;
  /** Size in bytes; null when the hub did not say. */
  sizeBytes: number | null;
  /** The content's sha256 (an LFS file's etag); null for files kept in git. */
  sha256: string | null;
}

/** Etags and commits become file names in the cache: no separators, no dot names. */
const SAFE_NAME_RE = /^(?!\.{1,2}$)[\w.-]{1,128}$/;

/** Relative redirects (renamed repositories) followed at most this many times. */
const MAX_RELATIVE_REDIRECTS = 5;

/**
 * Resolves `url` with HEAD, following only relative redirects (repository renames), as
 * huggingface_hub does; the absolute redirect to the CDN is where the headers are.
 *
 * @throws {HubError} HTTP failures (404 → "not_found"), or "protocol" when the answer
 *   lacks a commit or etag (HF_ENDPOINT is not a hub).
 */
export async function resolveFile(
  url: string,
  options: HubOptions,
  context: RequestContext,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<ResolvedFile> {
  let current = url;
  let response: Response | undefined;
  for (let hop = 0; hop <= MAX_RELATIVE_REDIRECTS; hop++) {
    response = await hubFetch(
      current,
      { method: "HEAD", redirect: "manual", headers: { "Accept-Encoding": "identity" }, signal },
      options,
      context,
      policy,
    );
    const location = response.headers.get("Location");
    const relative = response.status >= 300 && location !== null && !/^[a-z]+:/i.test(location);
    if (!relative) break;
    current = new URL(location, current).href;
  }
  const headers = response!.headers;
  const commit = headers.get("X-Repo-Commit");
  const etag = unquote(headers.get("X-Linked-Etag") ?? headers.get("ETag"));
  if (!commit || !etag || !SAFE_NAME_RE.test(etag) || !SAFE_NAME_RE.test(commit)) {
    throw new HubError(
      `Cannot ${context.what}: ${current} sent no usable X-Repo-Commit or ETag header; check that ` +
        `HF_ENDPOINT points at a Hugging Face hub`,
      { code: "protocol", status: response!.status, url: current },
    );
  }
  const linkedSize = headers.get("X-Linked-Size");
  const length = response!.status === 200 ? headers.get("Content-Length") : null;
  const size = Number(linkedSize ?? length ?? NaN);
  return {
    url: current,
    commit,
    etag,
    sizeBytes: Number.isSafeInteger(size) && size >= 0 ? size : null,
    sha256: /^[0-9a-f]{64}$/i.test(etag) ? etag.toLowerCase() : null,
  };
}

/** `W/"abc"` and `"abc"` → `abc`. */
function unquote(etag: string | null): string | null {
  if (etag === null) return null;
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1") || null;
}
