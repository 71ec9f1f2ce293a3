/**
 * `hearth tui` (`deno task tui`): the full-screen terminal app on the application core and
 * the desktop app's database, drawn with ink (React for terminals). `--dry-run` checks the
 * configuration and the database and prints counts without opening the screen.
 *
 * Quitting (Ctrl+C), or the terminal closing (SIGHUP), stops a streaming reply and waits
 * for it to be saved, marked incomplete, before the database closes.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { render } from "ink";
import { resolve } from "node:path";
import process from "node:process";
import type { Config } from "../config/config.ts";
import { BUNDLED_MODEL, hubEnv, libraryRoots } from "../config/config.ts";
import { type App, createApp } from "../app/create_app.ts";
import { TuiStore } from "./store.ts";
import { Root } from "./root.ts";
import { createTheme, ThemeContext } from "./theme.ts";
import { dryRun } from "./dry_run.ts";
import { FrameStats } from "./frame_stats.ts";
import { MOUSE_OFF, MOUSE_ON, MouseContext, MouseEvents, mouseFilteredStdin } from "./mouse.ts";

const h = React.createElement;

/** How long quitting waits for stopped replies to be saved, in milliseconds. */
const SAVE_WAIT_MS = 5000;

/**
 * Runs the terminal UI until the user quits or the terminal closes; resolves with the
 * exit status.
 *
 * @throws {TypeError} when stdin or stdout is not a terminal (use `hearth chat` there).
 */
export async function tuiCommand(config: Config): Promise<number> {
  if (config.dryRun) return dryRun(config, writeStdout);
  if (!Deno.stdin.isTerminal() || !Deno.stdout.isTerminal()) {
    throw new TypeError(
      "Cannot start the terminal UI: stdin and stdout must be a terminal; use `hearth chat` in pipes and scripts",
    );
  }
  const chosen = config.model === BUNDLED_MODEL ? undefined : resolve(config.model);
  // The store exists only once the app does; log lines before that are dropped.
  const screen: { store?: TuiStore } = {};
  const app = await createApp({
    dataDir: config.dataDir,
    databasePath: config.database,
    bundledModel: BUNDLED_MODEL,
    hub: hubEnv(),
    libraryRoots: libraryRoots(),
    engine: {
      libDir: config.libDir,
      variant: config.variant,
      logLevel: config.logLevel,
      rpc: config.rpc,
    },
    // -m replaces the default model; either way it loads in the background.
    loadDefaultModel: chosen === undefined,
    // The screen is ink's: problems go to the notification line.
    log: (line) => screen.store?.notify(line, "error"),
  });
  const store = screen.store = new TuiStore(app, chosen);
  if (chosen) {
    const nCtx = app.storage.settings.get().n_ctx;
    app.host.load(chosen, nCtx).catch(() => {}); // a load_error event reaches the screen
  }
  const quit = Promise.withResolvers<"quit" | "hangup">();
  const onHangup = () => quit.resolve("hangup");
  // A closed terminal can show first as a failed write (EPIPE) rather than as SIGHUP;
  // unhandled, that error ends the process before the replies are saved.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", onHangup);
  const signals: Deno.Signal[] = ["SIGHUP", "SIGTERM", "SIGINT"];
  for (const signal of signals) Deno.addSignalListener(signal, onHangup);
  const stats = new FrameStats();
  const mouse = new MouseEvents();
  const instance = render(
    h(
      ThemeContext.Provider,
      { value: createTheme(config.noColor ?? false) },
      h(
        MouseContext.Provider,
        { value: mouse },
        h(Root, {
          app,
          store,
          layout: config.layout ?? "sidebar",
          onQuit: () => quit.resolve("quit"),
          onKey: (at) => stats.key(at),
        }),
      ),
    ),
    {
      stdin: mouseFilteredStdin(process.stdin, mouse),
      exitOnCtrlC: false,
      alternateScreen: true,
      // Not incrementalRendering: after a resize its line diff drew stale rows (a palette
      // item went missing at 60x20 in the tmux test). React re-renders only what changed,
      // and the store hands a streaming reply over once a frame.
      // ink turns itself non-interactive in CI; this is a terminal, tests run it in tmux.
      interactive: true,
      // Terminals that speak the kitty keyboard protocol (kitty, WezTerm, foot, Ghostty)
      // then tell Shift+Enter from Enter; ink asks the terminal and waits 200 ms at most.
      kittyKeyboard: { mode: "auto" },
      maxFps: 60,
      onRender: ({ renderTime }) => stats.frame(renderTime, store.state.streaming !== null),
    },
  );
  process.stdout.write(MOUSE_ON);
  const how = await quit.promise;
  if (how === "hangup") {
    // The terminal is gone: nothing can be drawn, and a write's error must not end the
    // process before the replies are saved.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on("error", () => {});
      stream.write = () => true;
    }
  }
  store.close();
  if (how === "hangup") {
    // The listeners stay: a closing terminal sends more than one signal (SIGHUP, then
    // SIGTERM or another SIGHUP), and one without a listener would end the process
    // before the replies are saved.
    // Only the save matters now; ink's teardown would wait on the dead terminal.
    await stopReplies(app);
    await Promise.race([app.close(), new Promise((resolve) => setTimeout(resolve, SAVE_WAIT_MS))]);
    // The runtime's own exit can hang on the dead terminal too (measured: Deno.exit() did
    // not return after a tmux kill-session); everything is saved, so end outright.
    Deno.kill(Deno.pid, "SIGKILL");
  }
  for (const signal of signals) Deno.removeSignalListener(signal, onHangup);
  process.stdout.write(MOUSE_OFF);
  try {
    await stopReplies(app);
  } finally {
    instance.unmount();
    await instance.waitUntilExit();
    await app.close();
  }
  if (config.frameStats) {
    await Deno.writeTextFile(config.frameStats, JSON.stringify(stats.summary()));
  }
  return 0;
}

/** Writes all of `text` to stdout. */
function writeStdout(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/** Stops every reply and waits until each has been saved (marked incomplete). */
async function stopReplies(app: App): Promise<void> {
  app.replies.stopAll();
  const deadline = performance.now() + SAVE_WAIT_MS;
  while (app.replies.running > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
