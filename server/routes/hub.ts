/**
 * The Hugging Face side of the model browser: search, a repo's GGUF files and README,
 * a file's model metadata and memory fit before it is downloaded, and the download queue
 * (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import {
  type DownloadManager,
  getModelInfo,
  getReadme,
  type HubOptions,
  listGgufFiles,
  type ModelSort,
  pickDefaultQuant,
  searchModelsPage,
} from "../../hub/mod.ts";
import { readJson } from "../body.ts";
import { badRequest, notFound } from "../http_error.ts";
import { HubFileNotFoundError } from "../../app/errors.ts";
import { hubFileMetadata } from "../../app/hub_file_metadata.ts";
import { downloadJson, hubFileMetadataJson } from "../../api/hub_json.ts";
import type { RemoteFit } from "../../app/remote_fit.ts";
import { fitJson } from "../../api/library_json.ts";

const SORTS: readonly ModelSort[] = ["downloads", "likes", "lastModified", "trending"];

/** What the hub routes use. */
export interface HubDeps {
  hub: HubOptions;
  downloads: DownloadManager;
  remoteFit: RemoteFit;
  /** The settings' n_ctx, the default for fit estimates. */
  defaultNCtx: () => number;
}

/** `/api/hub/...`. */
export function hubRoutes(deps: HubDeps): Hono {
  const app = new Hono();
  const repoOf = (org: string, name: string) => `${org}/${name}`;

  app.get("/search", async (c) => {
    const sort = (c.req.query("sort") ?? "downloads") as ModelSort;
    if (!SORTS.includes(sort)) throw badRequest(`sort must be one of ${SORTS.join(", ")}`);
    const page = await searchModelsPage(c.req.query("q") ?? "", {
      sort,
      limit: 20,
      cursor: c.req.query("cursor") || undefined,
    }, deps.hub);
    return c.json({
      models: page.models.map((m) => ({
        id: m.id,
        author: m.author,
        downloads: m.downloads,
        likes: m.likes,
        last_modified: m.lastModified?.getTime() ?? null,
        gated: m.gated,
      })),
      next_cursor: page.nextCursor,
    });
  });

  app.get("/repos/:org/:name", async (c) => {
    const repo = repoOf(c.req.param("org"), c.req.param("name"));
    const [info, files, readme] = await Promise.all([
      getModelInfo(repo, {}, deps.hub),
      listGgufFiles(repo, {}, deps.hub),
      getReadme(repo, {}, deps.hub).catch(() => null),
    ]);
    if (!info || !files) throw new HubFileNotFoundError(repo);
    return c.json({
      id: repo,
      gated: info.gated,
      files: files.map((f) => ({
        path: f.path,
        size_bytes: f.sizeBytes,
        quant: f.quant,
        sha256: f.sha256,
        parts: f.parts.length,
        is_mmproj: f.isMmproj,
      })),
      default_file: pickDefaultQuant(files.filter((f) => !f.isMmproj))?.path ?? null,
      readme,
    });
  });

  app.get("/repos/:org/:name/metadata", async (c) => {
    const file = c.req.query("file");
    if (!file) throw badRequest("file is required");
    const repo = repoOf(c.req.param("org"), c.req.param("name"));
    return c.json(hubFileMetadataJson(await hubFileMetadata(deps.hub, repo, file)));
  });

  app.get("/repos/:org/:name/fit", async (c) => {
    const file = c.req.query("file");
    if (!file) throw badRequest("file is required");
    const nCtx = Number(c.req.query("n_ctx") ?? deps.defaultNCtx());
    if (!Number.isInteger(nCtx) || nCtx < 16) throw badRequest("n_ctx must be an integer >= 16");
    const fit = await deps.remoteFit.estimate(
      repoOf(c.req.param("org"), c.req.param("name")),
      file,
      nCtx,
    );
    return c.json(fitJson(fit));
  });

  return app;
}

/** `/api/downloads`. */
export function downloadRoutes(deps: HubDeps): Hono {
  const app = new Hono();
  const { downloads } = deps;
  const find = (id: string) => {
    const status = downloads.get(id);
    if (!status) throw notFound(`No download "${id}"`);
    return status;
  };
  app.post("/", async (c) => {
    const { repo, file } = await readJson(c);
    if (typeof repo !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(repo)) {
      throw badRequest("repo must be ORG/NAME");
    }
    if (typeof file !== "string" || !file.endsWith(".gguf")) {
      throw badRequest("file must be a .gguf path");
    }
    const files = await listGgufFiles(repo, {}, deps.hub);
    const entry = files?.find((f) => f.path === file || f.parts.some((p) => p.path === file));
    if (!entry) throw new HubFileNotFoundError(repo, file);
    // A split model downloads every part; the first part's download stands for it.
    const ids = entry.parts.map((part) =>
      downloads.add({ repo, file: part.path, sha256: part.sha256 ?? undefined })
    );
    return c.json(downloadJson(find(ids[0])), 201);
  });
  app.get("/", (c) => c.json({ downloads: downloads.list().map(downloadJson) }));
  app.post("/:id/pause", (c) => {
    downloads.pause(find(c.req.param("id")).id);
    return c.json(downloadJson(find(c.req.param("id"))));
  });
  app.post("/:id/resume", (c) => {
    downloads.resume(find(c.req.param("id")).id);
    return c.json(downloadJson(find(c.req.param("id"))));
  });
  app.delete("/:id", async (c) => {
    await downloads.cancel(find(c.req.param("id")).id);
    return c.body(null, 204);
  });
  return app;
}
