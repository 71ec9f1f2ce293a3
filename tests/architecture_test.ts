/**
 * The layers import only downward (README "Layout", ../shared/GUIDE.md):
 * ffi <- engine <- hub, storage, library, tables <- config, app <- api <- server, desktop <- cli,
 * bench, tui <- main.ts; ui imports only api/ and its own code. Unit tests beside their
 * files may import tests/ helpers; tests/ and the root files (main.ts, mod.ts, repl.ts)
 * may import anything.
 */
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

const BASE = ["ffi", "engine", "hub", "storage", "library", "tables"];
const CORE = [...BASE, "config", "app"];
const FRONT = [...CORE, "api", "server", "desktop"];

/** Each folder and the folders it may import from (besides itself). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  ffi: [],
  engine: ["ffi"],
  hub: [],
  storage: [],
  library: ["engine", "ffi", "hub", "storage"],
  tables: [],
  config: BASE,
  app: BASE,
  // Wire types and mappers: types of the layers below, typed JSON out of their values.
  api: [...BASE, "app"],
  server: [...BASE, "app", "api"],
  desktop: ["ffi"],
  ui: ["api"],
  cli: [...FRONT, "ui"],
  tui: FRONT,
  // The bench runs the models the tests run (tests/models.ts names them), and measures the
  // front ends it drives (cli; tui's views drawn in-process, bench/tui_frames_synthetic.ts).
  bench: [...FRONT, "cli", "tui", "tests"],
};

// Static and dynamic imports; `new URL(...)` names files a module reads or spawns, not
// modules it imports.
const SPEC = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']*)["']/g;

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|tsx)$/.test(entry.name)) yield path;
  }
}

/** Every import that goes somewhere its layer may not, as "from -> to" lines. */
async function violations(): Promise<string[]> {
  const found: string[] = [];
  for await (const path of sources(ROOT)) {
    const file = relative(ROOT, path);
    const layer = file.split("/")[0];
    if (!file.includes("/") || layer === "tests" || !(layer in ALLOWED)) continue;
    const isTest = /_test\.tsx?$/.test(file);
    const text = await Deno.readTextFile(path);
    for (const [, spec] of text.matchAll(SPEC)) {
      const target = normalize(join(dirname(file), spec));
      const to = target.split("/")[0];
      if (to === layer || ALLOWED[layer].includes(to) || (isTest && to === "tests")) continue;
      found.push(`${file} -> ${target}`);
    }
  }
  return found;
}

Deno.test("imports go only down the layers", async () => {
  assertEquals(await violations(), []);
});

Deno.test("every top-level folder of code is a known layer", async () => {
  const folders: string[] = [];
  for await (const entry of Deno.readDir(ROOT)) {
    if (!entry.isDirectory || entry.name.startsWith(".")) continue;
    for await (const path of sources(join(ROOT, entry.name))) {
      void path;
      folders.push(entry.name);
      break;
    }
  }
  const unknown = folders.filter((f) => !(f in ALLOWED) && f !== "tests");
  assertEquals(unknown, [], "add the folder to ALLOWED and to the README's Layout");
});

Deno.test("the README's Layout names every folder", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const layout = readme.slice(readme.indexOf("## Layout"));
  assert(layout.startsWith("## Layout"), "README has a Layout section");
  for await (const entry of Deno.readDir(ROOT)) {
    if (!entry.isDirectory || entry.name.startsWith(".") || entry.name === "dist") continue;
    assert(layout.includes(`\`${entry.name}/\``), `README Layout names ${entry.name}/`);
  }
});
