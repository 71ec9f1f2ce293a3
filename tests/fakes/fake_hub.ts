/**
 * A fake Hugging Face hub: a real HTTP server on 127.0.0.1 speaking the API shapes the
 * hub layer uses, so tests point `endpoint` at it as users point `HF_ENDPOINT` at a
 * mirror. It serves:
 *
 * - `GET /api/models`: search, filter, author, sort, direction, limit, expand, full;
 *   `Link: <...cursor=...>; rel="next"` pagination.
 * - `GET /api/models/{repo}[/revision/{rev}]`: model info with the gated flag.
 * - `GET /api/models/{repo}/tree/{rev}[/{dir}]`: entries with type, path, size, oid, lfs;
 *   `recursive`, paginated by `treePageSize`.
 * - `POST /api/models/{repo}/paths-info/{rev}`: what huggingface.js asks before downloads.
 * - `GET|HEAD /{repo}/resolve/{rev}/{file}`: LFS files 302 to `/cdn/{sha256}` with
 *   `X-Repo-Commit`, `X-Linked-Etag`, `X-Linked-Size` and a weak `ETag`, like the hub;
 *   git files answer 200 with the git oid as `ETag`.
 * - `GET|HEAD /cdn/{oid}`: the bytes, with `Range` / 206 / `Content-Range` / 416.
 *
 * Like the hub, unknown repositories answer anonymous callers 401 with
 * `X-Error-Code: RepoNotFound`; gated ones answer 401/403 `GatedRepo` without a token
 * listed in `tokens`; README.md stays public. {@link FakeHubFaults} injects failures.
 *
 * @module
 */
import {
  etagOf,
  type FakeRepo,
  modelItem,
  searchRepos,
  type StoredFile,
  type StoredRepo,
  storeRepo,
  treeEntries,
  treeEntry,
} from "./_fake_hub_repos.ts";
import { bodyStream, type FakeHubFaults, noFaults, parseRange } from "./_fake_hub_body.ts";

export type { FakeFile, FakeRepo } from "./_fake_hub_repos.ts";
export type { FakeHubFaults } from "./_fake_hub_body.ts";

/** What the fake hub serves. */
export interface FakeHubConfig {
  repos: FakeRepo[];
  /** Tokens with access to gated and private repositories; other tokens get 403. */
  tokens?: string[];
  /** Model-list page size when the request gives no `limit`. @default 30 */
  defaultPageSize?: number;
  /** Tree entries per page. @default 1000 */
  treePageSize?: number;
}

/** One request the fake hub received. */
export interface FakeRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** The `Range` header, or null. */
  range: string | null;
  /** The `Authorization` header, or null. */
  authorization: string | null;
  status: number;
  /** Body bytes sent so far (updated while a body streams). */
  bytesSent: number;
}

/** A running fake hub. */
export interface FakeHub {
  /** `http://127.0.0.1:{port}`: pass as `HubOptions.endpoint`. */
  endpoint: string;
  /** Faults, read on every request: change them at any time. */
  faults: FakeHubFaults;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** File bodies streaming now, and the most at once so far. */
  stats: { activeBodies: number; maxActiveBodies: number };
  /** What the hub publishes about a file (sha256, size, oids) and its repo's commit. */
  file(repo: string, path: string): StoredFile & { commit: string };
  /** Stops the server, ending open bodies. */
  close(): Promise<void>;
}

/** Starts a fake hub on a free port of 127.0.0.1. */
export async function startFakeHub(config: FakeHubConfig): Promise<FakeHub> {
  const repos = new Map<string, StoredRepo>();
  for (const repo of config.repos) repos.set(repo.id, await storeRepo(repo));
  const blobs = new Map<string, StoredFile>();
  for (const repo of repos.values()) {
    for (const file of repo.files.values()) blobs.set(etagOf(file), file);
  }
  const faults = noFaults();
  const requests: FakeRequest[] = [];
  const stats = { activeBodies: 0, maxActiveBodies: 0 };
  const tokens = new Set(config.tokens ?? []);
  const abort = new AbortController();
  let endpoint = "";

  const handle = (request: Request, record: FakeRequest): Response | Promise<Response> => {
    const url = new URL(request.url);
    const injected = injectFault(faults, url.pathname);
    if (injected) return injected;
    const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
    if (parts[0] === "cdn" && parts.length === 2) {
      const file = blobs.get(parts[1]);
      return file ? serveBody(request, file, record) : errorResponse(404, "EntryNotFound");
    }
    if (parts[0] === "api" && parts[1] === "models") {
      if (parts.length === 2) return search(url);
      return api(request, url, parts.slice(2));
    }
    if (parts[2] === "resolve" && parts.length >= 5) {
      return resolve(request, parts, record);
    }
    return errorResponse(404, "NotFound");
  };

  const access = (request: Request, repo: StoredRepo | undefined, file?: string) => {
    const auth = request.headers.get("Authorization");
    const token = auth?.match(/^Bearer (.+)$/)?.[1];
    if (!repo || (repo.private && !tokens.has(token ?? ""))) {
      return auth ? errorResponse(404, "RepoNotFound") : errorResponse(401, "RepoNotFound");
    }
    const publicFile = file === "README.md" || file === ".gitattributes";
    if (repo.gated && file !== undefined && !publicFile && !tokens.has(token ?? "")) {
      const message = auth
        ? `Access to model ${repo.id} is restricted and you are not in the authorized list.`
        : `Access to model ${repo.id} is restricted. You must be authenticated to access it.`;
      return errorResponse(auth ? 403 : 401, "GatedRepo", message);
    }
    return null;
  };

  const search = (url: URL) => {
    const params = url.searchParams;
    const found = searchRepos([...repos.values()], params);
    const limit = Number(params.get("limit") ?? config.defaultPageSize ?? 30);
    const offset = Number(params.get("cursor") ? atob(params.get("cursor")!) : 0);
    const page = found.slice(offset, offset + limit);
    const headers = new Headers({ "Content-Type": "application/json" });
    if (offset + limit < found.length) {
      const next = new URLSearchParams(params);
      next.set("cursor", btoa(String(offset + limit)));
      headers.set("Link", `<${endpoint}/api/models?${next}>; rel="next"`);
    }
    const expand = params.getAll("expand").concat(params.getAll("expand[]"));
    const full = params.get("full") === "true" || params.get("full") === "1";
    return Response.json(page.map((r) => modelItem(r, expand, full)), { headers });
  };

  const api = async (request: Request, url: URL, parts: string[]) => {
    const repo = repos.get(`${parts[0]}/${parts[1]}`);
    const denied = access(request, repo);
    if (denied) return denied;
    const [kind, revision, ...rest] = parts.slice(2);
    if (kind !== undefined && revision !== undefined && !knownRevision(repo!, revision)) {
      return errorResponse(404, "RevisionNotFound");
    }
    if (kind === undefined) return Response.json(modelItem(repo!, [], true));
    if (kind === "revision") return Response.json(modelItem(repo!, [], true));
    if (kind === "tree") return tree(url, repo!, rest.join("/"));
    if (kind === "paths-info" && request.method === "POST") {
      const paths = await requestedPaths(request);
      const found = paths.map((p) => repo!.files.get(p)).filter((f) => f !== undefined);
      return Response.json(found.map((f) => treeEntry(f, repo)));
    }
    return errorResponse(404, "NotFound");
  };

  const tree = (url: URL, repo: StoredRepo, dir: string) => {
    const entries = treeEntries(repo, dir, url.searchParams.get("recursive") === "true");
    const pageSize = config.treePageSize ?? 1000;
    const offset = Number(url.searchParams.get("cursor") ?? 0);
    const headers = new Headers();
    if (offset + pageSize < entries.length) {
      const next = new URL(url.pathname + url.search, endpoint);
      next.searchParams.set("cursor", String(offset + pageSize));
      headers.set("Link", `<${next}>; rel="next"`);
    }
    return Response.json(entries.slice(offset, offset + pageSize), { headers });
  };

  const resolve = (request: Request, parts: string[], record: FakeRequest) => {
    const repo = repos.get(`${parts[0]}/${parts[1]}`);
    const path = parts.slice(4).join("/");
    const denied = access(request, repo, path);
    if (denied) return denied;
    if (!knownRevision(repo!, parts[3])) return errorResponse(404, "RevisionNotFound");
    const file = repo!.files.get(path);
    if (!file) return errorResponse(404, "EntryNotFound", `${path} does not exist`);
    const headers = { "X-Repo-Commit": repo!.commit, "Accept-Ranges": "bytes" };
    if (!file.lfs) {
      return serveBody(request, file, record, headers);
    }
    return new Response(null, {
      status: 302,
      headers: {
        ...headers,
        Location: `${endpoint}/cdn/${file.sha256}`,
        "X-Linked-Etag": `"${file.sha256}"`,
        "X-Linked-Size": String(file.size),
        ETag: `W/"${file.gitOid.slice(0, 20)}"`,
      },
    });
  };

  const serveBody = (
    request: Request,
    file: StoredFile,
    record?: FakeRequest,
    extra: Record<string, string> = {},
  ) => {
    const range = faults.ignoreRange ? null : parseRange(request.headers.get("Range"), file.size);
    const headers = new Headers({
      ...extra,
      "Accept-Ranges": "bytes",
      ETag: `"${etagOf(file)}"`,
      "Content-Type": "application/octet-stream",
    });
    if (range === "unsatisfiable") {
      headers.set("Content-Range", `bytes */${file.size}`);
      return new Response(null, { status: 416, headers });
    }
    const { start, end } = range ?? { start: 0, end: file.size - 1 };
    headers.set("Content-Length", String(end - start + 1));
    if (range) headers.set("Content-Range", `bytes ${start}-${end}/${file.size}`);
    const status = range ? 206 : 200;
    if (request.method === "HEAD" || file.size === 0) {
      return new Response(null, { status, headers });
    }
    stats.activeBodies++;
    stats.maxActiveBodies = Math.max(stats.maxActiveBodies, stats.activeBodies);
    const body = bodyStream(file, { start, end }, faults, {
      onBytes: (n) => record && (record.bytesSent += n),
      onEnd: () => stats.activeBodies--,
    });
    return new Response(body, { status, headers });
  };

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: abort.signal,
    onListen: () => {},
  }, async (request) => {
    const url = new URL(request.url);
    const record: FakeRequest = {
      method: request.method,
      path: url.pathname + url.search,
      range: request.headers.get("Range"),
      authorization: request.headers.get("Authorization"),
      status: 0,
      bytesSent: 0,
    };
    requests.push(record);
    const response = await handle(request, record);
    record.status = response.status;
    return response;
  });
  endpoint = `http://127.0.0.1:${server.addr.port}`;

  return {
    endpoint,
    faults,
    requests,
    stats,
    file(repoId, path) {
      const repo = repos.get(repoId);
      const file = repo?.files.get(path);
      if (!repo || !file) throw new RangeError(`Fake hub has no "${repoId}/${path}"`);
      return { ...file, commit: repo.commit };
    },
    async close() {
      abort.abort();
      await server.finished;
    },
  };
}

function knownRevision(repo: StoredRepo, revision: string): boolean {
  return revision === "main" || revision === repo.commit;
}

function injectFault(faults: FakeHubFaults, path: string): Response | null {
  const limit = faults.rateLimit;
  if (limit.count > 0 && path.includes(limit.pathIncludes)) {
    limit.count--;
    return new Response("Too Many Requests", {
      status: 429,
      headers: { "Retry-After": String(limit.retryAfterSeconds) },
    });
  }
  const missing = faults.notFound;
  if (missing.count > 0 && path.includes(missing.pathIncludes)) {
    missing.count--;
    return Response.json({ error: "Entry not found" }, {
      status: 404,
      headers: { "X-Error-Code": "EntryNotFound" },
    });
  }
  const errors = faults.serverErrors;
  if (errors.count > 0 && path.includes(errors.pathIncludes)) {
    errors.count--;
    const retryAfter = errors.retryAfterSeconds;
    const headers: Record<string, string> = retryAfter === undefined
      ? {}
      : { "Retry-After": String(retryAfter) };
    return new Response("Service Unavailable", { status: 503, headers });
  }
  return null;
}

function errorResponse(status: number, code: string, message = code): Response {
  return Response.json({ error: message }, {
    status,
    headers: {
      "X-Error-Code": code,
      "X-Error-Message": message,
      "X-Request-Id": `Root=1-${crypto.randomUUID().slice(0, 8)}`,
    },
  });
}

async function requestedPaths(request: Request): Promise<string[]> {
  const type = request.headers.get("Content-Type") ?? "";
  if (type.includes("application/json")) {
    const body = await request.json();
    return Array.isArray(body?.paths) ? body.paths : [];
  }
  return (await request.formData()).getAll("paths").map(String);
}
