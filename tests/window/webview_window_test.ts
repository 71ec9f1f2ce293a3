/**
 * A real WebKitGTK window on a private Xvfb server, showing a page served by the test.
 * Needs the Debian packages xvfb, libwebkit2gtk-4.1-0 and imagemagick.
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import {
  WebviewWindow,
  type WindowGeometry,
  WindowUnavailableError,
} from "../../desktop/window.ts";
import { colourShare, pixelAt, readPng } from "./_png.ts";
import { captureScreen, waitFor } from "./_xvfb.ts";
import { xvfb } from "./_display.ts";
// Every test that opens GTK in this process lives in this one test file: `deno test`
// runs each file in its own isolate, and a GTK stack that outlives the isolate whose
// callbacks it holds crashes the process. These modules register their tests here.
import "./_shell_cases.ts";
import "./_export_cases.ts";
import "./_context_menu_cases.ts";
import "./_folder_dialog_cases.ts";
import "./_lazy_render_cases.ts";
import { requestClose, topLevelTitles } from "./_x11.ts";

const PAGE_RED = [0xe2, 0x57, 0x4c] as const; // #e2574c
const EVAL_GREEN = [0x3c, 0x8d, 0x5a] as const; // #3c8d5a

const PAGE = `<!doctype html>
<html><head><title>page</title></head>
<body style="margin:0">
  <div id="panel" style="background:#e2574c;width:100vw;height:100vh;color:#fff;font:32px sans-serif">
    Hearth window test
  </div>
  <script>addEventListener("load", () => fetch("/loaded", { method: "POST" }));</script>
</body></html>`;

/** Serves PAGE and records which signal paths ("/loaded", "/evaluated") the page posted. */
function servePage() {
  const posted = new Set<string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === "POST") {
      posted.add(pathname);
      return new Response("ok");
    }
    return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
  });
  return { server, posted, url: `http://127.0.0.1:${server.addr.port}/` };
}

// Every window here is on the process's shared Xvfb (see _display.ts).
Deno.test("WebviewWindow on a real X server (Xvfb)", async (t) => {
  const page = servePage();
  // HEARTH_TEST_SCREENSHOTS=DIR keeps the PNGs there for a look; else a temp dir.
  const keep = Deno.env.get("HEARTH_TEST_SCREENSHOTS");
  const dir = keep ?? await Deno.makeTempDir({ prefix: "hearth_window_" });
  const screen = join(dir, "screen.png");
  const screenShare = async (rgb: readonly [number, number, number], file = screen) => {
    await captureScreen(xvfb.display, file);
    return colourShare(await readPng(file), rgb);
  };
  try {
    await t.step("shows the page, snapshots it, runs eval and close() frees it", async () => {
      page.posted.clear();
      using win = WebviewWindow.open({
        title: "Hearth test",
        url: page.url,
        x: 40,
        y: 30,
        width: 640,
        height: 480,
        minWidth: 320,
        minHeight: 240,
      });
      const reported: WindowGeometry[] = [];
      win.onGeometry = (g) => reported.push(g);
      await waitFor("the page to post /loaded", () => page.posted.has("/loaded"));

      // (a) WebKit's own rendering of the view.
      const snapshot = join(dir, "snapshot.png");
      await win.snapshot(snapshot);
      const snapped = await readPng(snapshot);
      assertEquals([snapped.width, snapped.height], [640, 480]);
      const snappedRed = colourShare(snapped, PAGE_RED);
      assert(snappedRed > 0.8, `snapshot is ${(snappedRed * 100).toFixed(1)}% page red`);

      // (b) The window is mapped on the X screen: 640x480 of 1024x768 is 39% of it. The
      // first frame reaches the screen a little after load, hence the polling.
      const red = await waitFor("the page on the X screen", async () => {
        const share = await screenShare(PAGE_RED);
        return share > 0.35 && share;
      }, { everyMs: 200 });
      assert(red < 0.4, `the window covers ${(red * 100).toFixed(1)}% of the screen`);
      // Exactly at (40, 30) to (679, 509): no window manager, so no frame and no moves.
      const shot = await readPng(screen);
      for (const [x, y] of [[40, 509], [679, 30], [679, 509]]) {
        assertEquals(pixelAt(shot, x, y), [...PAGE_RED], `pixel (${x}, ${y})`);
      }
      for (const [x, y] of [[39, 509], [680, 30], [679, 510]]) {
        assertEquals(pixelAt(shot, x, y), [0, 0, 0], `pixel (${x}, ${y})`);
      }

      // Geometry: as requested (no window manager on Xvfb to move it), reported debounced.
      const expected = { x: 40, y: 30, width: 640, height: 480 };
      assertEquals(win.geometry(), expected);
      assertEquals(await waitFor("onGeometry", () => reported.at(-1)), expected);

      // The new WM_NAME reaches the X server at the next pump.
      win.setTitle("Hearth test, renamed");
      await waitFor(
        "the new title",
        () => topLevelTitles(xvfb.display).has("Hearth test, renamed"),
      );

      // eval runs in the page: it recolours the panel and posts back.
      win.eval(`document.getElementById("panel").style.background = "#3c8d5a";
        fetch("/evaluated", { method: "POST" });`);
      await waitFor("the page to post /evaluated", () => page.posted.has("/evaluated"));
      const recoloured = join(dir, "snapshot-eval.png");
      await win.snapshot(recoloured);
      const green = colourShare(await readPng(recoloured), EVAL_GREEN);
      assert(green > 0.8, `snapshot after eval is ${(green * 100).toFixed(1)}% green`);

      // close(): `closed` resolves, the pump stops (the op sanitizer fails this step on a
      // leaked interval), and the closed window's methods behave as documented.
      win.close();
      await win.closed;
      win.close();
      win.setTitle("ignored");
      win.eval("ignored()");
      assertEquals(win.geometry(), expected);
      await assertRejects(() => win.snapshot(join(dir, "x.png")), Error, "it is closed");
      await waitFor(
        "the window to leave the X screen",
        async () => (await screenShare(EVAL_GREEN, join(dir, "screen-closed.png"))) === 0,
      );
      assert(!topLevelTitles(xvfb.display).has("Hearth test, renamed"));
    });

    await t.step("resolves closed when the user closes the window", async () => {
      page.posted.clear();
      using win = WebviewWindow.open({
        title: "Hearth close me",
        url: page.url,
        width: 300,
        height: 200,
      });
      await waitFor("the page to post /loaded", () => page.posted.has("/loaded"));
      const xid = await waitFor(
        "the X window",
        () => topLevelTitles(xvfb.display).get("Hearth close me"),
      );
      const pending = win.snapshot(join(dir, "never.png"));
      requestClose(xvfb.display, xid);
      await win.closed;
      // The snapshot either finished before the close or was rejected by it, never lost.
      await pending.catch((error) => assert(/closed first/.test(error.message), error.message));
      assertEquals(win.geometry().width, 300);
      win.close();
      await waitFor(
        "the window to leave the X screen",
        () => !topLevelTitles(xvfb.display).has("Hearth close me"),
      );
    });
  } finally {
    await page.server.shutdown();
    if (!keep) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WebviewWindow.open() rejects bad options before touching GTK", () => {
  const url = "http://127.0.0.1:1/";
  for (const bad of [{ width: 0 }, { height: 1.5 }, { minWidth: -1 }]) {
    let error: unknown;
    try {
      WebviewWindow.open({ title: "t", url, ...bad });
    } catch (e) {
      error = e;
    }
    assert(error instanceof RangeError, `${JSON.stringify(bad)} gave ${error}`);
  }
});

/** Runs webviewAvailable() and open() in a child Deno with only `env` set. */
async function probeChild(env: Record<string, string>) {
  const module = new URL("../../desktop/window.ts", import.meta.url).href;
  const script = `
    import { webviewAvailable, WebviewWindow } from "${module}";
    let error;
    try { WebviewWindow.open({ title: "t", url: "about:blank" }); } catch (e) { error = e; }
    console.log(JSON.stringify({ available: webviewAvailable(), name: error?.name, message: error?.message }));`;
  const { success, code, signal, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    clearEnv: true,
    env: { HOME: Deno.env.get("HOME") ?? "/root", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert(success, `child failed (${signal ?? code}): ${text.decode(stderr)}${text.decode(stdout)}`);
  return JSON.parse(text.decode(stdout)) as {
    available: { ok: boolean; reason?: string };
    name: string;
    message: string;
  };
}

Deno.test("webviewAvailable() says no display when DISPLAY is unset", async () => {
  const result = await probeChild({});
  assertEquals(result.available, {
    ok: false,
    reason: "no display: DISPLAY and WAYLAND_DISPLAY are unset",
  });
  assertEquals(result.name, new WindowUnavailableError("").name);
  assertEquals(
    result.message,
    "Cannot open a native window: no display: DISPLAY and WAYLAND_DISPLAY are unset",
  );
});

Deno.test("webviewAvailable() says gtk_init_check failed when no X server answers", async () => {
  // :89 is outside the 90..99 range the window test uses; checked to be free first.
  const taken = await Deno.stat("/tmp/.X11-unix/X89").then(() => true, () => false);
  assert(!taken, "display :89 is in use; this test needs it free");
  const result = await probeChild({ DISPLAY: ":89" });
  assertEquals(result.available.ok, false);
  assertEquals(result.available.reason, 'gtk_init_check failed: cannot open display ":89"');
  assertEquals(result.name, "WindowUnavailableError");
});
