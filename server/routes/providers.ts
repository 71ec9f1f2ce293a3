/**
 * Remote providers for the settings UI: list (with presets), add, change, remove, test,
 * list models. Keys are write-only: a request may set `api_key` ("" removes it); answers
 * say only where a key comes from (`key_source`), never the key.
 *
 * @module
 */
import { Hono } from "hono";
import { PRESETS } from "../../app/providers/presets.ts";
import type { ProviderInput } from "../../app/providers/registry.ts";
import { ProviderNotFoundError } from "../../app/providers/errors.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../http_error.ts";

const FIELDS = ["name", "preset", "base_url", "api_key_env", "concurrency", "api_key"];

function input(body: Record<string, unknown>, name?: string): ProviderInput {
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) throw badRequest(`Unknown field "${key}"`);
  }
  const string = (key: string) => {
    const value = body[key];
    if (value !== undefined && typeof value !== "string") {
      throw badRequest(`${key} must be a string`);
    }
    return value as string | undefined;
  };
  const env = body.api_key_env;
  if (env !== undefined && env !== null && typeof env !== "string") {
    throw badRequest("api_key_env must be a string or null");
  }
  const concurrency = body.concurrency;
  if (concurrency !== undefined && typeof concurrency !== "number") {
    throw badRequest("concurrency must be a number");
  }
  const result: ProviderInput = { name: name ?? string("name") ?? "" };
  if (body.preset !== undefined) result.preset = string("preset") as ProviderInput["preset"];
  if (body.base_url !== undefined) result.base_url = string("base_url");
  if (env !== undefined) result.api_key_env = (env as string | null) || null;
  if (concurrency !== undefined) result.concurrency = concurrency as number;
  if (body.api_key !== undefined) result.api_key = string("api_key");
  return result;
}

/** The provider routes, mounted at /api/providers. */
export function providerRoutes(deps: AppDeps): Hono {
  const { providers } = deps;
  const app = new Hono();

  app.get("/", (c) => c.json({ providers: providers.list(), presets: PRESETS }));

  app.post("/", async (c) => {
    const fields = input(await readJson(c));
    if (providers.has(fields.name)) {
      throw badRequest(`A provider "${fields.name}" exists: change it with PATCH`);
    }
    return c.json(providers.save(fields), 201);
  });

  app.patch("/:name", async (c) => {
    const name = c.req.param("name");
    providers.get(name);
    return c.json(providers.save(input(await readJson(c), name)));
  });

  app.delete("/:name", (c) => {
    const name = c.req.param("name");
    if (!providers.remove(name)) throw new ProviderNotFoundError(name);
    return c.body(null, 204);
  });

  app.post("/:name/test", async (c) => {
    const { rtt_ms, models } = await providers.test(c.req.param("name"), c.req.raw.signal);
    return c.json({ rtt_ms, model_count: models.length, models });
  });

  app.get("/:name/models", async (c) => {
    const models = await providers.backend(c.req.param("name")).models(c.req.raw.signal);
    return c.json({ models });
  });

  return app;
}
