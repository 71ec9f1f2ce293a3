/**
 * The window behaves like an app, not a browser tab: links open outside it and the view
 * stays on the app, Ctrl+Q and Ctrl+W close it, and it shows the theme's background
 * before the page paints. Real WebKitGTK on a private Xvfb, real X input (XTest).
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { WebviewWindow } from "../../desktop/window.ts";
import { pixelAt, readPng } from "./_png.ts";
import { captureScreen, waitFor } from "./_xvfb.ts";
import { xvfb } from "./_display.ts";
import { click, KEYSYM, pressKeys } from "./_xtest.ts";

const EXTERNAL = "https://example.invalid/page";
const EXTERNAL_NEW = "https://example.invalid/new";

const PAGE = `<!doctype html>
<html><body style="margin:0;background:#e2574c">
  <a id="ext" href="${EXTERNAL}" style="display:block;height:100px;background:#3c8d5a">out</a>
  <a id="new" href="${EXTERNAL_NEW}" target="_blank"
     style="display:block;height:100px;background:#3c5a8d">new</a>
  <script>addEventListener("load", () => fetch("/loaded", { method: "POST" }));</script>
</body></html>`;

/** Serves PAGE at "/", holds "/slow" until `release()`, and records POSTed paths. */
function serve() {
  const posted: string[] = [];
  const held = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    if (request.method === "POST") {
      posted.push(url.pathname + url.search);
      return new Response("ok");
    }
    if (url.pathname === "/slow") await held.promise;
    return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
  });
  return {
    server,
    posted,
    release: () => held.resolve(),
    url: `http://127.0.0.1:${server.addr.port}/`,
  };
}

Deno.test("the window acts as an app (Xvfb)", async (t) => {
  const page = serve();
  const dir = await Deno.makeTempDir({ prefix: "hearth_shell_" });
  try {
    await t.step("links open in the system browser; the view stays on the app", async () => {
      page.posted.length = 0;
      const opened: string[] = [];
      using win = WebviewWindow.open({
        title: "links",
        url: page.url,
        x: 0,
        y: 0,
        width: 400,
        height: 300,
        openExternal: (url) => opened.push(url),
      });
      await waitFor("the page to load", () => page.posted.includes("/loaded"));
      click(xvfb.display, 50, 50); // #ext
      await waitFor("the link to open outside", () => opened.includes(EXTERNAL));
      click(xvfb.display, 50, 150); // #new, target=_blank
      await waitFor("the new-window link to open outside", () => opened.includes(EXTERNAL_NEW));
      // A script's navigation is blocked too, and opens nothing.
      win.eval(`location.href = "file:///etc/passwd"; window.open("https://example.invalid/js");`);
      win.eval(`fetch("/where?" + location.href, { method: "POST" })`);
      await waitFor(
        "the page to say where it is",
        () => page.posted.some((p) => p.startsWith("/where")),
      );
      assertEquals(page.posted.filter((p) => p.startsWith("/where")), [`/where?${page.url}`]);
      assertEquals(page.posted.filter((p) => p === "/loaded").length, 1, "the app never reloaded");
      assert(!opened.includes("file:///etc/passwd"), opened.join());
    });

    for (const key of ["q", "w"] as const) {
      await t.step(`Ctrl+${key.toUpperCase()} closes the window`, async () => {
        page.posted.length = 0;
        using win = WebviewWindow.open({
          title: `keys ${key}`,
          url: page.url,
          x: 0,
          y: 0,
          width: 400,
          height: 300,
        });
        let closed = false;
        win.closed.then(() => closed = true);
        await waitFor("the page to load", () => page.posted.includes("/loaded"));
        pressKeys(xvfb.display, 200, 250, [KEYSYM.Control_L, KEYSYM[key]]);
        await waitFor("the window to close", () => closed, { timeoutMs: 10_000 });
      });
    }

    await t.step("the theme's background shows before the page paints", async () => {
      using win = WebviewWindow.open({
        title: "background",
        url: `${page.url}slow`,
        x: 0,
        y: 0,
        width: 400,
        height: 300,
        background: "#204060",
      });
      const shot = join(dir, "background.png");
      // The server holds the page: whatever the window shows is the background.
      const pixel = await waitFor("the window to show", async () => {
        await captureScreen(xvfb.display, shot);
        const rgb = pixelAt(await readPng(shot), 200, 150);
        return rgb.some((c) => c !== 0) && rgb;
      }, { everyMs: 100 });
      page.release();
      assertEquals(pixel, [0x20, 0x40, 0x60]);
      win.close();
    });
  } finally {
    page.release();
    await page.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
