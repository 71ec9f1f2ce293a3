/**
 * Builds the desktop UI into static files: `index.html`, `app.js` (the Preact app, ESM),
 * `chunks/*.js` (what it imports on demand: highlight.js and KaTeX, loaded the first time a
 * reply has code or math), `app.css` and `katex.css` (KaTeX's stylesheet, linked by the page
 * with KaTeX). The app server serves them as they are; the window loads `/`.
 *
 * `deno run -A ui/build.ts [--dev] [OUT_DIR]` builds (minified unless `--dev`).
 *
 * @module
 */
import * as esbuild from "esbuild";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { denoNpmPlugin } from "./_deno_npm_plugin.ts";

const UI_DIR = fromFileUrl(new URL(".", import.meta.url));
/** `dist/ui/` at the repository root: where the server looks for the bundle by default. */
export const DEFAULT_OUT_DIR: string = fromFileUrl(new URL("../dist/ui/", import.meta.url));
/** The files a build writes; all must exist for a bundle to count as built. */
export const OUTPUT_FILES: readonly string[] = [
  "index.html",
  "app.js",
  "app.css",
  "katex.css",
  "favicon.svg",
];
/** The folder, inside the output folder, of the code split off app.js and imported on demand. */
export const CHUNKS_DIR = "chunks";
/** Files copied as they are from ui/. */
const STATIC_FILES = ["index.html", "favicon.svg"];
// deno.json pins the npm versions the bundle is made of: a bump must rebuild.
const DENO_JSON = fromFileUrl(new URL("../deno.json", import.meta.url));

/** Options of {@link buildUi}. */
export type BuildUiOptions = {
  /** Folder to write into (created if missing). @default DEFAULT_OUT_DIR (`dist/ui/`) */
  outDir?: string;
  /** Minify JS and CSS; off gives readable output with inline source maps. @default true */
  minify?: boolean;
};

/**
 * Bundles `ui/main.tsx` (code splitting: every dynamic `import()` becomes a chunk in
 * {@link CHUNKS_DIR}, emptied first), `ui/styles/app.css` and KaTeX's stylesheet with esbuild,
 * and copies `ui/index.html` and `ui/favicon.svg`.
 * Stops esbuild's service afterwards so the calling process can exit.
 *
 * @param options where to write and whether to minify
 * @returns the folder the files were written to
 * @throws {Error} esbuild's error (with file and line) when a source does not compile
 * @example
 * ```ts ignore
 * if (await uiIsStale(DEFAULT_OUT_DIR)) await buildUi();
 * ```
 */
export async function buildUi(options: BuildUiOptions = {}): Promise<{ outDir: string }> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const minify = options.minify ?? true;
  await Deno.mkdir(outDir, { recursive: true });
  // Chunk names carry a content hash: old ones would pile up across builds.
  await Deno.remove(join(outDir, CHUNKS_DIR), { recursive: true }).catch(() => {});
  try {
    await esbuild.build({
      entryPoints: [
        { in: join(UI_DIR, "main.tsx"), out: "app" },
        { in: join(UI_DIR, "styles", "app.css"), out: "app" },
        { in: join(UI_DIR, "styles", "katex.css"), out: "katex" },
      ],
      outdir: outDir,
      bundle: true,
      format: "esm",
      splitting: true,
      chunkNames: `${CHUNKS_DIR}/[name]-[hash]`,
      platform: "browser",
      // WebKitGTK 2.40+ (Debian 12, Ubuntu 22.04 updates) and any current browser.
      target: ["es2022", "safari16", "chrome110", "firefox115"],
      minify,
      sourcemap: minify ? false : "inline",
      jsx: "automatic",
      jsxImportSource: "preact",
      legalComments: "none",
      logLevel: "silent",
      plugins: [denoNpmPlugin()],
      // KaTeX's fonts: every browser the target list names reads WOFF2, so the WOFF and
      // TrueType fallbacks its stylesheet also lists are left out of the bundle.
      loader: { ".woff2": "file", ".woff": "empty", ".ttf": "empty" },
      assetNames: "fonts/[name]-[hash]",
    });
  } finally {
    await esbuild.stop();
  }
  for (const name of STATIC_FILES) await Deno.copyFile(join(UI_DIR, name), join(outDir, name));
  return { outDir };
}

/**
 * Tells whether the bundle in `outDir` is missing or older than any UI source (`ui/**` except
 * tests, and deno.json, which pins the npm versions). Deleting a source is not noticed.
 *
 * @param outDir the folder {@link buildUi} wrote to
 * @returns true when {@link buildUi} should run
 */
export async function uiIsStale(outDir: string = DEFAULT_OUT_DIR): Promise<boolean> {
  let oldestOutput = Infinity;
  for (const name of OUTPUT_FILES) {
    const mtime = await mtimeOf(join(outDir, name));
    if (mtime === null) return true;
    oldestOutput = Math.min(oldestOutput, mtime);
  }
  const newestSource = Math.max(await newestMtime(UI_DIR), (await mtimeOf(DENO_JSON)) ?? 0);
  return newestSource > oldestOutput;
}

async function mtimeOf(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) newest = Math.max(newest, await newestMtime(path));
    else if (/\.(tsx?|css|html|svg)$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
      newest = Math.max(newest, (await mtimeOf(path)) ?? 0);
    }
  }
  return newest;
}

if (import.meta.main) {
  const dev = Deno.args.includes("--dev");
  const outDir = Deno.args.find((arg) => !arg.startsWith("--"));
  const result = await buildUi({ outDir, minify: !dev });
  console.log(`UI built into ${result.outDir}`);
}
