/**
 * The fake hub's data: repositories and files with the hashes the real hub publishes
 * (sha256 LFS oids, git blob oids, LFS pointer oids), and the JSON shapes of its model
 * list, model info, tree and paths-info answers.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** One file of a fake repository: bytes from a file on disk or given inline. */
export interface FakeFile {
  /** Path in the repository, e.g. "Q4_K_M/model-Q4_K_M.gguf". */
  path: string;
  /** A file on disk to serve (streamed, never loaded whole). */
  source?: string;
  /** Inline content, for small files such as README.md. */
  bytes?: Uint8Array;
  /** Stored in LFS (hash headers, CDN redirect). @default true for .gguf, else false */
  lfs?: boolean;
  /** The content's sha256 if already known (skips hashing a big file). */
  sha256?: string;
}

/** One fake model repository. */
export interface FakeRepo {
  /** `org/name`. */
  id: string;
  files: FakeFile[];
  /** Gated: downloads need a token listed in `FakeHubConfig.tokens`. */
  gated?: "auto" | "manual";
  /** Private: invisible without a listed token. */
  private?: boolean;
  downloads?: number;
  likes?: number;
  trendingScore?: number;
  /** ISO date. @default "2026-01-01T00:00:00.000Z" */
  lastModified?: string;
  /** @default ["gguf"] when it has .gguf files */
  tags?: string[];
  /** 40 hex digits. @default derived from the id */
  commit?: string;
}

/** A file with everything the fake hub publishes about it. */
export interface StoredFile {
  path: string;
  size: number;
  sha256: string;
  /** The git blob oid of what git stores: the content, or the LFS pointer. */
  gitOid: string;
  lfs: boolean;
  source?: string;
  bytes?: Uint8Array;
}

/** A repository ready to serve. */
export interface StoredRepo {
  id: string;
  author: string;
  commit: string;
  gated: false | "auto" | "manual";
  private: boolean;
  downloads: number;
  likes: number;
  trendingScore: number;
  lastModified: string;
  tags: string[];
  files: Map<string, StoredFile>;
}

/** Hashes and sizes every file; big files are streamed through the hash. */
export async function storeRepo(repo: FakeRepo): Promise<StoredRepo> {
  const files = new Map<string, StoredFile>();
  for (const file of repo.files) files.set(file.path, await storeFile(file));
  const hasGguf = repo.files.some((f) => f.path.endsWith(".gguf"));
  return {
    id: repo.id,
    author: repo.id.split("/")[0],
    commit: repo.commit ?? sha1(`commit ${repo.id}`),
    gated: repo.gated ?? false,
    private: repo.private ?? false,
    downloads: repo.downloads ?? 0,
    likes: repo.likes ?? 0,
    trendingScore: repo.trendingScore ?? 0,
    lastModified: repo.lastModified ?? "2026-01-01T00:00:00.000Z",
    tags: repo.tags ?? (hasGguf ? ["gguf"] : []),
    files,
  };
}

async function storeFile(file: FakeFile): Promise<StoredFile> {
  const lfs = file.lfs ?? file.path.endsWith(".gguf");
  let size: number;
  let digest = file.sha256;
  const git = createHash("sha1");
  if (file.bytes) {
    size = file.bytes.length;
    digest ??= createHash("sha256").update(file.bytes).digest("hex");
    git.update(`blob ${size}\0`).update(file.bytes);
  } else if (file.source) {
    size = (await Deno.stat(file.source)).size;
    const hash = createHash("sha256");
    if (!lfs) git.update(`blob ${size}\0`);
    if (!digest || !lfs) {
      for await (const chunk of (await Deno.open(file.source)).readable) {
        hash.update(chunk);
        if (!lfs) git.update(chunk);
      }
      digest ??= hash.digest("hex");
    }
  } else {
    throw new TypeError(`Fake file "${file.path}" needs source or bytes`);
  }
  if (lfs) {
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${digest}\n` +
      `size ${size}\n`;
    git.update(`blob ${pointer.length}\0`).update(pointer);
  }
  return {
    path: file.path,
    size,
    sha256: digest,
    gitOid: git.digest("hex"),
    lfs,
    source: file.source,
    bytes: file.bytes,
  };
}

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** The etag the hub sends for a file: the sha256 for LFS, the git oid otherwise. */
export function etagOf(file: StoredFile): string {
  return file.lfs ? file.sha256 : file.gitOid;
}

/** A tree / paths-info entry, as `/api/models/{repo}/tree/{rev}` sends it. */
export function treeEntry(file: StoredFile, repo?: StoredRepo): Record<string, unknown> {
  return {
    type: "file",
    oid: file.gitOid,
    size: file.size,
    path: file.path,
    ...(file.lfs ? { lfs: { oid: file.sha256, size: file.size, pointerSize: 134 } } : {}),
    ...(repo
      ? {
        lastCommit: { id: repo.commit, title: "Upload", date: repo.lastModified },
        securityFileStatus: { status: "safe" },
      }
      : {}),
  };
}

/** The tree under `dir` ("" = root): files and directories, recursive or one level. */
export function treeEntries(repo: StoredRepo, dir: string, recursive: boolean): unknown[] {
  const prefix = dir === "" ? "" : `${dir}/`;
  const dirs = new Set<string>();
  const entries: unknown[] = [];
  for (const file of [...repo.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    if (!file.path.startsWith(prefix)) continue;
    const rest = file.path.slice(prefix.length).split("/");
    for (let depth = 1; depth < rest.length && (recursive || depth === 1); depth++) {
      dirs.add(prefix + rest.slice(0, depth).join("/"));
    }
    if (recursive || rest.length === 1) entries.push(treeEntry(file));
  }
  const dirEntries = [...dirs].map((path) => ({
    type: "directory",
    oid: sha1(path),
    size: 0,
    path,
  }));
  return [...dirEntries, ...entries];
}

const DEFAULT_FIELDS = [
  "_id",
  "id",
  "likes",
  "trendingScore",
  "private",
  "downloads",
  "tags",
  "pipeline_tag",
  "library_name",
  "createdAt",
  "modelId",
];

/** A model list item: default fields, or `_id`, `id` and the `expand` ones. */
export function modelItem(repo: StoredRepo, expand: string[], full: boolean): object {
  const all: Record<string, unknown> = {
    _id: repo.commit.slice(0, 24),
    id: repo.id,
    modelId: repo.id,
    author: repo.author,
    sha: repo.commit,
    likes: repo.likes,
    trendingScore: repo.trendingScore,
    downloads: repo.downloads,
    private: repo.private,
    gated: repo.gated,
    disabled: false,
    tags: repo.tags,
    pipeline_tag: "text-generation",
    library_name: "gguf",
    createdAt: "2025-01-01T00:00:00.000Z",
    lastModified: repo.lastModified,
    siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
  };
  const keys = expand.length > 0
    ? ["_id", "id", ...expand]
    : full
    ? Object.keys(all)
    : DEFAULT_FIELDS;
  return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
}

/** Repositories matching a model-list query, sorted as asked. */
export function searchRepos(repos: StoredRepo[], params: URLSearchParams): StoredRepo[] {
  const search = (params.get("search") ?? "").toLowerCase();
  const filters = params.getAll("filter");
  const author = params.get("author");
  const sort = params.get("sort");
  const direction = params.get("direction") === "1" ? 1 : -1;
  const found = repos.filter((r) =>
    !r.private && r.id.toLowerCase().includes(search) &&
    filters.every((f) => r.tags.includes(f)) && (!author || r.author === author)
  );
  if (sort) {
    const key = (r: StoredRepo) => (r as unknown as Record<string, string | number>)[sort] ?? 0;
    found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * direction);
  }
  return found;
}
