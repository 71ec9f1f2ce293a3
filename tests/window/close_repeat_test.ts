/**
 * Closing the window must never abort the process. GTK runs our signal handlers inside
 * `gtk_main_iteration_do`; while Deno made that a V8 fast call, a handler that
 * invalidated the optimised pump (the "destroy" handler's write to the window's closed
 * flag does: "dependent field type constness changed") aborted Deno with "Lazy deopt
 * after a fast API call with return value is unsupported", whenever TurboFan had
 * optimised the pump by then (after a few seconds of pumping).
 *
 * A child process opens a window, and the test closes it the user's way
 * (WM_DELETE_WINDOW) once V8's trace says TurboFan optimised the pump (a lowered
 * threshold makes that take about two seconds); the child then opens and closes 29 more
 * windows and must exit 0.
 *
 * @module
 */
import { assertEquals } from "../assert.ts";
import { startXvfb, waitFor } from "./_xvfb.ts";
import { requestClose, topLevelTitles } from "./_x11.ts";

const CLOSES = 30;
const OPTIMISED = /completed optimizing .*#pump .*TURBOFAN/;

Deno.test(`the window opens and closes ${CLOSES} times without aborting`, async () => {
  const xvfb = await startXvfb("640x480x24");
  const window = new URL("../../desktop/window.ts", import.meta.url).href;
  const x11 = new URL("./_x11.ts", import.meta.url).href;
  const xvfbHelpers = new URL("./_xvfb.ts", import.meta.url).href;
  // A page that repaints all the time, so the pump has work as in the app.
  const page = "data:text/html,<body><script>" +
    "setInterval(()=>document.body.textContent=Date.now(),5)</script>";
  const script = `
    import { WebviewWindow } from "${window}";
    import { requestClose, topLevelTitles } from "${x11}";
    import { waitFor } from "${xvfbHelpers}";
    await WebviewWindow.open({ title: "close 0", url: "${page}", width: 200, height: 150 }).closed;
    for (let i = 1; i < ${CLOSES}; i++) {
      const title = "close " + i;
      const win = WebviewWindow.open({ title, url: "${page}", width: 200, height: 150 });
      const xid = await waitFor(title, () => topLevelTitles("${xvfb.display}").get(title));
      requestClose("${xvfb.display}", xid);
      await win.closed;
    }
    console.log("closed ${CLOSES} times");`;
  // stdbuf: V8 prints its trace through C stdio, block-buffered into a pipe otherwise.
  const child = new Deno.Command("stdbuf", {
    args: [
      "-oL",
      Deno.execPath(),
      "eval",
      "--no-config",
      "--v8-flags=--trace-opt,--invocation-count-for-turbofan=50",
      script,
    ],
    env: { DISPLAY: xvfb.display },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let printed = "";
  let optimised = false;
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      printed += chunk;
      optimised ||= OPTIMISED.test(printed);
    }
  })();
  try {
    const xid = await waitFor("window 0", () => topLevelTitles(xvfb.display).get("close 0"));
    await waitFor("TurboFan to optimise the pump", () => optimised, { timeoutMs: 30_000 });
    requestClose(xvfb.display, xid);
    const { code, signal } = await child.status;
    await reading;
    const last = printed.trim().split("\n").at(-1);
    assertEquals(
      { code, signal, last },
      { code: 0, signal: null, last: `closed ${CLOSES} times` },
      await stderr,
    );
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // exited
    }
    await child.status;
    await xvfb.stop();
  }
});
