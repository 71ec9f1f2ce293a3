/**
 * ui/build.ts: the bundle is written, self-contained, and not rebuilt needlessly.
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { buildUi, OUTPUT_FILES, uiIsStale } from "../../ui/build.ts";

Deno.test("buildUi() writes index.html, app.js and app.css without npm: specifiers", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "hearth-ui-build-" });
  try {
    assert(await uiIsStale(outDir), "an empty folder is stale");
    const result = await buildUi({ outDir });
    assertEquals(result.outDir, outDir);
    for (const name of OUTPUT_FILES) {
      const size = (await Deno.stat(join(outDir, name))).size;
      assert(size > 0, `${name} is empty`);
    }
    const js = await Deno.readTextFile(join(outDir, "app.js"));
    assert(!js.includes("npm:"), "app.js still imports npm: specifiers");
    assert(!/\bfrom\s*["'](?:preact|@preact|marked|dompurify)/.test(js), "bare import left");
    assert(js.includes("DOMPurify") || js.includes("dompurify"), "DOMPurify is bundled");
    const html = await Deno.readTextFile(join(outDir, "index.html"));
    assert(html.includes('<meta name="viewport"'), "viewport meta");
    assert(html.includes('src="/app.js"') && html.includes('href="/app.css"'), "assets from /");
    assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), "no inline script (CSP)");
    const css = await Deno.readTextFile(join(outDir, "app.css"));
    assert(css.includes("data-theme") && !css.includes("@import"), "CSS imports are inlined");
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("uiIsStale() is false right after a build and true when an output is missing", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "hearth-ui-stale-" });
  try {
    await buildUi({ outDir, minify: false });
    assertEquals(await uiIsStale(outDir), false);
    // A second build in the same process works: esbuild restarts after stop().
    await buildUi({ outDir, minify: false });
    assertEquals(await uiIsStale(outDir), false);
    await Deno.remove(join(outDir, "app.css"));
    assertEquals(await uiIsStale(outDir), true);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("uiIsStale() is true when a source is newer than the bundle", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "hearth-ui-old-" });
  try {
    await buildUi({ outDir });
    // Age the outputs instead of touching a source: tests must not edit ui/.
    const past = new Date(Date.now() - 365 * 24 * 3600 * 1000);
    for (const name of OUTPUT_FILES) await Deno.utime(join(outDir, name), past, past);
    assertEquals(await uiIsStale(outDir), true);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});
