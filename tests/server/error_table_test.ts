/**
 * The one error table (server/error_table.ts): every error class the lower layers
 * export has a row, the rows say what docs/ui-api.md promises, and the UI API answers
 * a gated Hugging Face repo with 403 `gated`.
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { ERROR_TABLE, httpFailure } from "../../server/error_table.ts";
import { HubError } from "../../hub/errors.ts";
import { ModelBrokenError } from "../../app/errors.ts";
import { AppApi } from "./_app_api.ts";
import { startApp } from "../../cli/app.ts";
import { startFakeHub } from "../fakes/fake_hub.ts";
import { STORIES_260K } from "../models.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The layers whose errors reach the HTTP front ends. */
const LAYERS = ["ffi", "engine", "hub", "storage", "library", "tables", "app"];

/** Every non-test module of the layers that declares an exported error class. */
async function* errorModules(): AsyncGenerator<string> {
  for (const layer of LAYERS) {
    for await (const path of walk(join(ROOT, layer))) {
      if (!path.endsWith(".ts") || path.endsWith("_test.ts")) continue;
      const text = await Deno.readTextFile(path);
      if (/export class \w+ extends \w*Error\b/.test(text)) yield path;
    }
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

Deno.test("ERROR_TABLE has a row for every error class the lower layers export", async () => {
  const missing: string[] = [];
  let seen = 0;
  for await (const path of errorModules()) {
    const module = await import(`file://${path}`);
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function" || !(value.prototype instanceof Error)) continue;
      seen++;
      // deno-lint-ignore no-explicit-any
      if (!ERROR_TABLE.has(value as any)) missing.push(`${relative(ROOT, path)}: ${name}`);
    }
  }
  assert(seen >= 20, `expected the layers' error classes, found ${seen}`);
  assertEquals(missing, []);
});

Deno.test("httpFailure() answers hub errors by their code, with Retry-After", () => {
  const gated = new HubError("gated", { code: "unauthorized", status: 401, url: "u" });
  assertEquals([httpFailure(gated).status, httpFailure(gated).type], [403, "gated"]);
  const limited = new HubError("slow down", {
    code: "rate_limited",
    status: 429,
    url: "u",
    retryAfterMs: 2500,
  });
  assertEquals(httpFailure(limited).headers, { "retry-after": "3" });
  const broken = httpFailure(new ModelBrokenError("/m.gguf", "block_count is 0"));
  assertEquals([broken.status, broken.type, broken.extra], [422, "model_broken", {
    broken_reason: "block_count is 0",
  }]);
});

Deno.test("httpFailure() makes an unmapped error a logged 500 server_error", () => {
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(...args);
  try {
    class Surprise extends Error {}
    const failure = httpFailure(new Surprise("boom"));
    assertEquals([failure.status, failure.type, failure.message], [500, "server_error", "boom"]);
    assert(logged[0] instanceof Surprise, "the error itself, with its stack, is logged");
    // A subclass of a mapped built-in takes its ancestor's row, and is not logged.
    class Odd extends RangeError {}
    assertEquals(httpFailure(new Odd("no")).status, 400);
    assertEquals(logged.length, 1);
  } finally {
    console.error = original;
  }
});

Deno.test("UI API: a gated hub repo is 403 gated, not a logged 500", async () => {
  const hub = await startFakeHub({
    repos: [{
      id: "meta/gated",
      gated: "manual",
      files: [{ path: "m.gguf", source: STORIES_260K }],
    }],
  });
  const temp = await Deno.makeTempDir();
  const app = await startApp({
    dataDir: join(temp, "data"),
    loadDefaultModel: false,
    hub: { endpoint: hub.endpoint, token: undefined, cacheDir: join(temp, "hub") },
    libraryRoots: [],
  });
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(...args);
  try {
    const api = new AppApi(app);
    for (const path of ["metadata", "fit"]) {
      const response = await api.request("GET", `/api/hub/repos/meta/gated/${path}?file=m.gguf`);
      const body = await response.json();
      assertEquals([response.status, body.error.type], [403, "gated"], path);
    }
    assertEquals(logged, []);
  } finally {
    console.error = original;
    await app.close();
    await hub.close();
    await Deno.remove(temp, { recursive: true });
  }
});

Deno.test("httpFailure() answers provider errors: 429 with Retry-After, 502/504 upstream", async () => {
  const errors = await import("../../app/providers/errors.ts");
  const limited = httpFailure(new errors.ProviderRateLimitError("or", 1500, "slow down"));
  assertEquals([limited.status, limited.type, limited.headers], [429, "rate_limited", {
    "retry-after": "2",
  }]);
  const auth = httpFailure(new errors.ProviderAuthError("or", 401, "bad key"));
  assertEquals([auth.status, auth.type], [502, "provider_auth"]);
  const model = httpFailure(new errors.ProviderModelNotFoundError("or", "m", "gone"));
  assertEquals([model.status, model.type], [404, "model_not_found"]);
  const down = httpFailure(new errors.ProviderUpstreamError("or", 503, "down"));
  assertEquals([down.status, down.type, down.extra.upstream_status], [502, "upstream_error", 503]);
  const gone = httpFailure(new errors.ProviderUpstreamError("or", 0, "unreachable"));
  assertEquals([gone.status, gone.type], [504, "upstream_unreachable"]);
});
