/**
 * The native window's start time, as a user sees it: `deno run -A main.ts` spawned on a
 * private Xvfb, the X server's pixels read every 10 ms (XGetImage, not PNG captures). Per run:
 * when the Hearth window maps, when the UI has painted (many colours over a third of the
 * screen), and how many samples between the two showed a white frame (over 30 % pure white
 * pixels) in the dark theme, where the window's first paint must be the theme's dark
 * background. Light and dark runs interleave; each checkout's UI bundle is built first.
 *
 * `deno run -A bench/window_start.ts [--runs N] [--root DIR ...]` (default 5 per theme) prints
 * a Markdown table of medians and every run. Each `--root` is a checkout whose `main.ts` runs
 * (default this one; give two to compare, runs interleaved).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase } from "../storage/db.ts";
import { DATABASE_FILE } from "../storage/data_dir.ts";
import { startXvfb } from "../tests/window/_xvfb.ts";
import { requestClose, screenStats, topLevelTitles } from "../tests/window/_x11.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Longest a start may take before the run counts as failed, in ms. */
const TIMEOUT_MS = 60_000;
/** Share of the screen that must be pure white for a sample to count as a white frame. */
const WHITE_FRAME_SHARE = 0.3;

/** One start. */
interface Run {
  /** The checkout that ran. */
  root: string;
  theme: "light" | "dark";
  /** Spawn to the window mapping, in ms. */
  mappedMs: number;
  /** Spawn to the UI painted, in ms. */
  paintedMs: number;
  /** Samples before the UI painted that showed a white frame (dark theme only). */
  whiteFrames: number;
}

async function startOnce(root: string, theme: Run["theme"]): Promise<Run> {
  const xvfb = await startXvfb("1280x900x24");
  const home = await Deno.makeTempDir({ prefix: "hearth-window-bench-" });
  const storage = openDatabase(join(home, DATABASE_FILE));
  storage.settings.patch({ theme });
  storage.close();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: root,
    env: { DISPLAY: xvfb.display, HEARTH_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let window: bigint | undefined;
    let mappedMs = 0;
    let whiteFrames = 0;
    while (performance.now() - started < TIMEOUT_MS) {
      if (window === undefined) {
        window = topLevelTitles(xvfb.display).get("Hearth");
        if (window !== undefined) mappedMs = performance.now() - started;
      }
      const stats = screenStats(xvfb.display);
      if (window !== undefined && stats.share > 0.3 && stats.colours > 20) {
        const paintedMs = performance.now() - started;
        requestClose(xvfb.display, window);
        await child.status;
        return { root, theme, mappedMs, paintedMs, whiteFrames };
      }
      // The light theme's background is white: only a dark start can show a white flash.
      if (theme === "dark" && stats.white > WHITE_FRAME_SHARE) whiteFrames++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`the window did not show the UI within ${TIMEOUT_MS} ms`);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    await xvfb.stop();
    await Deno.remove(home, { recursive: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string" }, root: { type: "string", multiple: true } },
  });
  const runs = Number(values.runs ?? 5);
  const roots = values.root ?? [ROOT];
  // Each checkout's UI is built first (by its own ui/build.ts: bench/ may not import ui/), so
  // no run includes a build.
  for (const root of roots) {
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "ui/build.ts"],
      cwd: root,
      stdout: "null",
    }).output();
    if (!built.success) throw new Error(`Cannot build the UI in ${root}`);
  }
  const loadavg = async () =>
    (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const before = await loadavg();
  const done: Run[] = [];
  for (let i = 0; i < runs; i++) {
    for (const theme of ["light", "dark"] as const) {
      for (const root of roots) done.push(await startOnce(root, theme));
    }
  }
  console.log(`load average before: ${before}; after: ${await loadavg()}`);
  console.log(
    "| checkout | theme | window mapped (median) | UI painted (median) | white frames | runs |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const root of roots) {
    for (const theme of ["light", "dark"] as const) {
      const mine = done.filter((run) => run.theme === theme && run.root === root);
      const mapped = median(mine.map((run) => run.mappedMs)) / 1000;
      const painted = median(mine.map((run) => run.paintedMs)) / 1000;
      const white = mine.reduce((sum, run) => sum + run.whiteFrames, 0);
      console.log(
        `| ${root} | ${theme} | ${mapped.toFixed(2)} s | ${painted.toFixed(2)} s | ${white} | ` +
          `${mine.length} |`,
      );
    }
  }
  for (const run of done) {
    console.log(
      `${run.root} ${run.theme}: mapped ${run.mappedMs.toFixed(0)} ms, painted ${
        run.paintedMs.toFixed(0)
      } ms,` +
        ` white frames ${run.whiteFrames}`,
    );
  }
}
