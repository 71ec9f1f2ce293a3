/**
 * An esbuild plugin that resolves bare npm specifiers (`preact`, `@preact/signals`, ...) the
 * way Deno does. Deno keeps npm packages in its global cache
 * (`~/.cache/deno/npm/registry.npmjs.org/<name>/<version>/`), not in a `node_modules` tree, so
 * esbuild's own node resolution finds nothing, not even a package's dependencies
 * (`@preact/signals` → `@preact/signals-core`).
 *
 * Deno's `createRequire(importer).resolve()` does know where each package lives (it honours
 * deno.json's import map for our sources and each package's own dependencies inside the cache),
 * but it answers with the CommonJS entry. So it is used only to find the package folder; the
 * subpath is then resolved through the package's `exports` with browser/ESM conditions, and
 * esbuild finishes the job (extensions, folders) from that folder.
 *
 * @module
 */
import type { Plugin, PluginBuild } from "esbuild";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Export conditions a browser ESM bundle accepts, as esbuild's own `platform: "browser"` does. */
const CONDITIONS = new Set(["browser", "import", "module", "default"]);

type PackageJson = {
  name?: string;
  exports?: unknown;
  browser?: unknown;
  module?: string;
  main?: string;
  sideEffects?: unknown;
};
type Package = { dir: string; json: PackageJson };

/**
 * Creates the plugin. Resolutions are cached per plugin instance (one build).
 *
 * @returns an esbuild plugin named `deno-npm`
 */
export function denoNpmPlugin(): Plugin {
  return { name: "deno-npm", setup };
}

function setup(build: PluginBuild): void {
  const packages = new Map<string, Package>();
  // Bare specifiers only: not relative, not absolute, no scheme (`node:`, `npm:`).
  build.onResolve({ filter: /^[@a-zA-Z0-9_]/ }, async (args) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(args.path)) return undefined;
    // CSS `url(fonts/x.woff2)` is relative to its stylesheet, never a package.
    if (args.kind === "url-token") return undefined;
    const { name, subpath } = splitSpecifier(args.path);
    const key = `${dirname(args.importer)}\0${name}`;
    let pkg = packages.get(key);
    if (!pkg) {
      pkg = await findPackage(args.importer || join(args.resolveDir, "_"), name, args.path);
      packages.set(key, pkg);
    }
    const target = entryOf(pkg.json, subpath);
    if (!target) {
      return { errors: [{ text: `Cannot resolve "${args.path}": not exported by ${pkg.dir}` }] };
    }
    const result = await build.resolve(target.startsWith("./") ? target : `./${target}`, {
      resolveDir: pkg.dir,
      kind: args.kind,
    });
    if (pkg.json.sideEffects === false) result.sideEffects = false;
    return result;
  });
}

/** Splits `@scope/name/sub/path` into the package name and `sub/path` ("" for the root). */
function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const n = specifier.startsWith("@") ? 2 : 1;
  return { name: parts.slice(0, n).join("/"), subpath: parts.slice(n).join("/") };
}

/** Finds the folder of package `name` as seen from `importer`, via Deno's require resolution. */
async function findPackage(importer: string, name: string, specifier: string): Promise<Package> {
  const require = createRequire(importer);
  let entry: string | undefined;
  for (const candidate of [name, specifier, `${name}/package.json`]) {
    try {
      entry = require.resolve(candidate);
      break;
    } catch {
      // A package may export only some of these; try the next.
    }
  }
  if (!entry) throw new Error(`Cannot resolve npm package "${name}" from ${importer}`);
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const json = JSON.parse(await Deno.readTextFile(join(dir, "package.json"))) as PackageJson;
      if (json.name === name) return { dir, json };
    } catch {
      // No package.json here (or a nested one without a name): keep walking up.
    }
  }
  throw new Error(`Cannot find package.json of "${name}" above ${entry}`);
}

/** The file (relative to the package folder) that `subpath` maps to, or null when not exported. */
function entryOf(json: PackageJson, subpath: string): string | null {
  const key = subpath ? `./${subpath}` : ".";
  const { exports } = json;
  if (exports === undefined) {
    if (subpath) return subpath;
    const browser = typeof json.browser === "string" ? json.browser : undefined;
    return browser ?? json.module ?? json.main ?? "index.js";
  }
  const map = typeof exports === "string" || Array.isArray(exports) ||
      !Object.keys(exports as object).some((k) => k.startsWith("."))
    ? { ".": exports }
    : exports as Record<string, unknown>;
  if (key in map) return pick(map[key]);
  for (const [pattern, value] of Object.entries(map)) {
    const star = pattern.indexOf("*");
    if (star < 0) continue;
    const [prefix, suffix] = [pattern.slice(0, star), pattern.slice(star + 1)];
    if (key.startsWith(prefix) && key.endsWith(suffix) && key.length >= pattern.length - 1) {
      const match = key.slice(prefix.length, key.length - suffix.length);
      return pick(value)?.replaceAll("*", match) ?? null;
    }
  }
  return null;
}

/** Picks a target from an exports value: the first condition (in the object's order) we accept. */
function pick(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = pick(item);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [condition, target] of Object.entries(value)) {
      if (!CONDITIONS.has(condition)) continue;
      const found = pick(target);
      if (found) return found;
    }
  }
  return null;
}
