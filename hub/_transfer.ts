/**
 * The byte mover of `downloadFile`: appends to `blobs/{etag}.incomplete`, resuming with
 * `Range: bytes=N-` from whatever the file already holds (so a killed process resumes
 * too), retrying dropped and stalled connections, 5xx and 429 with backoff.
 *
 * @module
 */
import type { Hash } from "node:crypto";
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { anySignal, authHeaders, errorFromResponse, networkError } from "./_http.ts";
import type { RequestContext } from "./_http.ts";
import { hashFileInto } from "./_hash_file.ts";
import type { ProgressMeter } from "./_progress.ts";
import { delay, retryDelayMs, type RetryPolicy } from "./_retry.ts";

/** What {@link transfer} needs. */
export interface TransferParams {
  /** The resolve URL; each attempt GETs it and follows the CDN redirect. */
  url: string;
  /** The `.incomplete` file: its current content is the resume state. */
  partial: string;
  /** Expected size in bytes, or null to learn it from the response. */
  sizeBytes: number | null;
  /** Makes fresh hashes to feed the content to (sha256, git sha1...). */
  newHashes: () => Hash[];
  options: HubOptions;
  context: RequestContext;
  policy: RetryPolicy;
  /** An attempt with no bytes for this long is dropped and retried, in milliseconds. */
  stallTimeoutMs: number;
  meter: ProgressMeter;
  signal?: AbortSignal;
}

/** The finished transfer. */
export interface TransferResult {
  /** Bytes in the `.incomplete` file. */
  sizeBytes: number;
  /** The hashes, fed with every byte of the file in order. */
  hashes: Hash[];
}

interface State {
  file: Deno.FsFile;
  offset: number;
  total: number | null;
  hashes: Hash[];
  restarts: number;
}

/**
 * Downloads the rest of the file into `params.partial`.
 *
 * @throws The signal's reason when aborted (the partial file stays for a resume).
 * @throws {HubError} When retries run out, on a non-retryable status, or ("integrity")
 *   when the server sends more bytes than the file has.
 */
export async function transfer(params: TransferParams): Promise<TransferResult> {
  const { signal, policy, meter } = params;
  using file = await Deno.open(params.partial, { create: true, append: true });
  const state: State = {
    file,
    offset: (await file.stat()).size,
    total: params.sizeBytes,
    hashes: params.newHashes(),
    restarts: 0,
  };
  if (state.total !== null && state.offset > state.total) await restart(state, params);
  if (state.offset > 0) {
    await hashFileInto(params.partial, state.hashes, { length: state.offset, signal });
  }
  meter.totalBytes = state.total;
  meter.update(state.offset, true);
  let retry = 0;
  while (state.total === null || state.offset < state.total) {
    const before = state.offset;
    try {
      if (await attempt(state, params)) break;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!(error instanceof HubError) || !error.retryable) throw error;
      if (state.offset > before) retry = 0;
      if (++retry > policy.maxRetries) throw error;
      await delay(retryDelayMs(policy, retry, error.retryAfterMs), signal);
    }
  }
  meter.update(state.offset, true);
  await file.syncData();
  return { sizeBytes: state.offset, hashes: state.hashes };
}

/**
 * One GET from the current offset to the end of the body.
 *
 * @returns True when the file is complete (size unknown until the body ended).
 */
async function attempt(state: State, params: TransferParams): Promise<boolean> {
  const { url, options, context } = params;
  const stall = new AbortController();
  const signal = anySignal(params.signal, options.signal, stall.signal)!;
  const headers: Record<string, string> = {
    ...authHeaders(options),
    // byte-exact ranges: no transparent gzip
    "Accept-Encoding": "identity",
    ...(state.offset > 0 ? { Range: `bytes=${state.offset}-` } : {}),
  };
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal });
  } catch (error) {
    if (params.signal?.aborted || options.signal?.aborted) throw error;
    throw networkError(stall.signal.reason ?? error, url, context);
  }
  if (!(await acceptBody(response, state, params))) return false;
  const reader = response.body!.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(stalled(params, url)), params.stallTimeoutMs);
  };
  try {
    for (arm();; arm()) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (stall.signal.aborted) throw stall.signal.reason;
        throw error instanceof HubError || signal.aborted
          ? error
          : networkError(error, url, context);
      }
      if (chunk.done) break;
      await append(state, chunk.value, params);
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  if (state.total === null) {
    state.total = state.offset;
    return true;
  }
  if (state.offset < state.total) {
    throw networkError(
      new Error(`the body ended after ${state.offset} of ${state.total} bytes`),
      url,
      context,
    );
  }
  return true;
}

/**
 * Checks the status and range of a response and lines the file up with it.
 *
 * @returns False when the file was reset and the attempt should start over.
 */
async function acceptBody(response: Response, state: State, params: TransferParams) {
  const { options, context } = params;
  if (response.status === 416 || (response.status === 206 && !rangeMatches(response, state))) {
    await response.body?.cancel();
    await restart(state, params); // our partial file and the server disagree: start over
    return false;
  }
  if (response.status >= 400 || response.status < 200 || !response.body) {
    throw await errorFromResponse(response, context, options.endpoint);
  }
  if (response.status === 206) {
    state.total ??= contentRangeTotal(response);
  } else {
    if (state.offset > 0) await restart(state, params); // server ignored the Range
    const length = Number(response.headers.get("Content-Length") ?? NaN);
    if (state.total === null && Number.isSafeInteger(length)) state.total = length;
  }
  params.meter.totalBytes = state.total;
  return true;
}

async function append(state: State, chunk: Uint8Array, params: TransferParams): Promise<void> {
  if (state.total !== null && state.offset + chunk.length > state.total) {
    throw new HubError(
      `Cannot ${params.context.what}: the server sent more than the ${state.total} bytes ` +
        `the file has; try again later`,
      { code: "integrity", status: 0, url: params.url },
    );
  }
  for (let written = 0; written < chunk.length;) {
    written += await state.file.write(chunk.subarray(written));
  }
  for (const hash of state.hashes) hash.update(chunk);
  state.offset += chunk.length;
  params.meter.update(state.offset);
}

async function restart(state: State, params: TransferParams): Promise<void> {
  if (++state.restarts > params.policy.maxRetries + 1) {
    throw new HubError(
      `Cannot ${params.context.what}: the server keeps answering ranges inconsistently; ` +
        `try again later`,
      { code: "protocol", status: 0, url: params.url },
    );
  }
  await state.file.truncate(0);
  state.offset = 0;
  state.hashes = params.newHashes();
  params.meter.update(0, true);
}

function rangeMatches(response: Response, state: State): boolean {
  const match = response.headers.get("Content-Range")?.match(/^bytes (\d+)-\d+\/(\d+|\*)$/);
  return match !== undefined && match !== null && Number(match[1]) === state.offset;
}

function contentRangeTotal(response: Response): number | null {
  const total = response.headers.get("Content-Range")?.match(/\/(\d+)$/)?.[1];
  return total === undefined ? null : Number(total);
}

function stalled(params: TransferParams, url: string): HubError {
  return networkError(
    new Error(`no data for ${params.stallTimeoutMs} ms`),
    url,
    params.context,
  );
}
