/**
 * A repository's model card: `README.md` through the resolve endpoint.
 *
 * @module
 */
import { HubError } from "./errors.ts";
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";
import { hubFetch, networkError } from "./_http.ts";
import { checkRepoId, resolveUrl } from "./_repo.ts";

/** Options of {@link getReadme}. */
export interface GetReadmeOptions {
  /** Branch, tag or commit. @default "main" */
  revision?: string;
  /** Aborts this call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Fetches a repository's `README.md` (its model card, Markdown with YAML front matter).
 *
 * @param repo Repository id, `org/name`.
 * @param params Revision and signal.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns The text, or null when the repository, revision or README does not exist.
 * @throws {TypeError} `repo` is not a repository id.
 * @throws {HubError} Any other failure, after retries.
 *
 * @example
 * ```ts ignore
 * import { getReadme } from "./get_readme.ts";
 *
 * const text = await getReadme("ggml-org/models", {}, { endpoint: "https://huggingface.co" });
 * console.log(text?.slice(0, 200) ?? "no model card");
 * ```
 */
export async function getReadme(
  repo: string,
  params: GetReadmeOptions = {},
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): Promise<string | null> {
  checkRepoId(repo);
  const url = resolveUrl(options.endpoint, repo, params.revision ?? "main", "README.md");
  const context = { what: `get the README of "${repo}"`, repo };
  let response: Response;
  try {
    response = await hubFetch(url, { signal: params.signal }, options, context);
  } catch (error) {
    if (error instanceof HubError && error.code === "not_found") return null;
    throw error;
  }
  try {
    return await response.text();
  } catch (error) {
    params.signal?.throwIfAborted();
    options.signal?.throwIfAborted();
    throw networkError(error, url, context);
  }
}
