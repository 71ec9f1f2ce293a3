/**
 * GGUF model search: `GET /api/models?search=&filter=gguf&sort=&direction=-1&limit=`,
 * paged with the `Link` header as the hub does.
 *
 * @module
 */
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";
import { fetchJson, nextLink } from "./_http.ts";
import { trimSlash } from "./_repo.ts";

/** Orders for {@link searchModels}; always descending (most first, newest first). */
export type ModelSort = "downloads" | "likes" | "lastModified" | "trending";

/** One search hit. */
export interface ModelSummary {
  /** Repository id, `org/name`. */
  id: string;
  /** The owning user or organisation. */
  author: string;
  /** Downloads over the last 30 days, as the hub counts them. */
  downloads: number;
  /** Likes. */
  likes: number;
  /** Last commit time, or null when the hub did not say. */
  lastModified: Date | null;
  /** Tags, e.g. `["gguf", "llama", "text-generation"]`. */
  tags: string[];
  /** `false`, or how access is granted: `"auto"` (click to accept) or `"manual"` (reviewed). */
  gated: false | "auto" | "manual";
  /** Private repositories show only to their owners' tokens. */
  private: boolean;
}

/** Options of {@link searchModelsPage}. */
export interface SearchPageOptions {
  /** Order of results. @default "downloads" */
  sort?: ModelSort;
  /** Results per page, 1 to 1000; with `cursor`, the first page's value holds. @default 20 */
  limit?: number;
  /**
   * Where to continue: the `nextCursor` of the previous page (it carries the query, sort
   * and page size); omit for the first page.
   */
  cursor?: string;
  /** Aborts this call; it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of {@link searchModels}. */
export interface SearchModelsOptions {
  /** Order of results. @default "downloads" */
  sort?: ModelSort;
  /** Results to yield at most, in total; Infinity = all. @default Infinity */
  limit?: number;
  /** Results fetched per request, 1 to 1000. @default 100 */
  pageSize?: number;
  /** Start at this cursor (a page's `nextCursor`) instead of the first page. */
  cursor?: string;
  /** Aborts the listing; iteration rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** One page of results. */
export interface ModelSearchPage {
  /** The hits, in order. */
  models: ModelSummary[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

const SORT_PARAM: Record<ModelSort, string> = {
  downloads: "downloads",
  likes: "likes",
  lastModified: "lastModified",
  trending: "trendingScore",
};

/**
 * Fields asked for with `expand`: they give author, dates and gating without `full=true`,
 * which would also send every repository's file list.
 */
const EXPAND = ["author", "downloads", "likes", "lastModified", "tags", "gated", "private"];

/**
 * Fetches one page of GGUF models whose id matches `query`.
 *
 * @param query Text matched against repository ids; "" lists all GGUF models.
 * @param params Sort, page size and cursor.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns The page and the cursor of the next one.
 * @throws {RangeError} `limit` outside 1 to 1000.
 * @throws {HubError} The hub failed after retries.
 *
 * @example Search, then load a second page
 * ```ts ignore
 * import { searchModelsPage } from "./search_models.ts";
 *
 * const hub = { endpoint: "https://huggingface.co" };
 * const first = await searchModelsPage("qwen", { sort: "likes", limit: 10 }, hub);
 * if (first.nextCursor) {
 *   const second = await searchModelsPage("qwen", { cursor: first.nextCursor }, hub);
 *   console.log(second.models.map((m) => m.id));
 * }
 * ```
 */
export async function searchModelsPage(
  query: string,
  params: SearchPageOptions = {},
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): Promise<ModelSearchPage> {
  const limit = params.limit ?? 20;
  checkPageSize(limit, "limit");
  const base = `${trimSlash(options.endpoint)}/api/models`;
  const url = params.cursor !== undefined
    ? `${base}?${params.cursor}`
    : `${base}?${firstPageQuery(query, params.sort ?? "downloads", limit)}`;
  const { value, response } = await fetchJson<ApiModel[]>(
    url,
    options,
    { what: `search models for "${query}"` },
    params.signal,
  );
  const next = nextLink(response.headers.get("Link"));
  return {
    models: (Array.isArray(value) ? value : []).map(toSummary),
    nextCursor: next === null ? null : new URL(next, url).search.slice(1),
  };
}

/**
 * Lists GGUF models whose id matches `query`, most relevant first, fetching pages as
 * iteration goes on.
 *
 * @param query Text matched against repository ids; "" lists all GGUF models.
 * @param params Sort, total limit, page size and starting cursor.
 * @param options Hub endpoint, token, fetch and signal.
 * @returns An async generator of models; stop iterating to stop fetching.
 * @throws {RangeError} `pageSize` outside 1 to 1000, or a negative `limit`.
 * @throws {HubError} The hub failed after retries.
 *
 * @example The ten most downloaded Llama GGUFs
 * ```ts ignore
 * import { searchModels } from "./search_models.ts";
 *
 * for await (const model of searchModels("llama", { limit: 10 }, { endpoint: "https://huggingface.co" })) {
 *   console.log(model.id, model.downloads);
 * }
 * ```
 */
export async function* searchModels(
  query: string,
  params: SearchModelsOptions = {},
  options: HubOptions = { endpoint: DEFAULT_ENDPOINT },
): AsyncGenerator<ModelSummary> {
  let remaining = params.limit ?? Infinity;
  if (!(remaining >= 0)) throw new RangeError(`Cannot search models: limit ${remaining} < 0`);
  const pageSize = params.pageSize ?? 100;
  checkPageSize(pageSize, "pageSize");
  let cursor: string | null | undefined = params.cursor;
  while (remaining > 0 && cursor !== null) {
    const page = await searchModelsPage(query, {
      sort: params.sort,
      limit: Math.min(pageSize, remaining),
      cursor,
      signal: params.signal,
    }, options);
    for (const model of page.models.slice(0, remaining)) yield model;
    remaining -= page.models.length;
    cursor = page.models.length === 0 ? null : page.nextCursor;
  }
}

function firstPageQuery(query: string, sort: ModelSort, limit: number): string {
  const search = new URLSearchParams({
    search: query,
    filter: "gguf",
    sort: SORT_PARAM[sort],
    direction: "-1",
    limit: String(limit),
  });
  for (const field of EXPAND) search.append("expand", field);
  return search.toString();
}

function checkPageSize(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw new RangeError(`Cannot search models: ${name} ${value} is not an integer from 1 to 1000`);
  }
}

/** The fields of the hub's model list items that this layer reads. */
interface ApiModel {
  id: string;
  author?: string;
  downloads?: number;
  likes?: number;
  lastModified?: string;
  tags?: string[];
  gated?: false | "auto" | "manual";
  private?: boolean;
}

/** Maps a hub list item to a {@link ModelSummary}, filling gaps with neutral values. */
export function toSummary(item: ApiModel): ModelSummary {
  const lastModified = item.lastModified ? new Date(item.lastModified) : null;
  return {
    id: item.id,
    author: item.author ?? (item.id.includes("/") ? item.id.split("/")[0] : ""),
    downloads: item.downloads ?? 0,
    likes: item.likes ?? 0,
    lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : null,
    tags: item.tags ?? [],
    gated: item.gated === "auto" || item.gated === "manual" ? item.gated : false,
    private: item.private ?? false,
  };
}
