/**
 * One repository's summary: `GET /api/models/{repo}`.
 *
 * @module
 */
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";
import { fetchJson } from "./_http.ts";
import { apiModelUrl, checkRepoId } from "./_repo.ts";
import { type ModelSummary, toSummary } from "./search_models.ts";

/** A repository's summary plus its current commit. */
export interface ModelInfo extends ModelSummary {
  /** The commit `main` (or the asked revision) points at, 40 hex digits; null if not sent. */
  sha: string | null;
}

/** Options of {@link getModelInfo}. */
export interface ModelInfoOptions {
  /** Branch, tag or commit; omit for the default branch. */
  revision?: string;
  /** Aborts this call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Fetches a model repository's summary: downloads, likes, tags, gating and commit.
 *
 * @param repo Repository id, `org/name`.
 * @param params Revision and signal.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns The summary, or null when the repository (or revision) does not exist or is
 *   private and the token cannot see it (the hub answers both the same way).
 * @throws {TypeError} `repo` is not a repository id.
 * @throws {HubError} Any other failure, after retries.
 *
 * @example Is a model gated?
 * ```ts ignore
 * import { getModelInfo } from "./model_info.ts";
 *
 * const info = await getModelInfo("ggml-org/models", {}, { endpoint: "https://huggingface.co" });
 * console.log(info?.gated);
 * ```
 */
export async function getModelInfo(
  repo: string,
  params: ModelInfoOptions = {},
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): Promise<ModelInfo | null> {
  checkRepoId(repo);
  const suffix = params.revision ? `/revision/${encodeURIComponent(params.revision)}` : "";
  try {
    const { value } = await fetchJson<{ id: string; sha?: string }>(
      apiModelUrl(options.endpoint, repo, suffix),
      options,
      { what: `get model info of "${repo}"`, repo },
      params.signal,
    );
    return { ...toSummary(value), sha: value.sha ?? null };
  } catch (error) {
    if (error instanceof HubError && error.code === "not_found") return null;
    throw error;
  }
}
