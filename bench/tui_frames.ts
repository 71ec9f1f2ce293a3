/**
 * The terminal UI's frame times and key-to-screen latency (issue 13), in a real tmux
 * terminal on the bundled stories260K: `hearth tui --frame-stats FILE` runs, a reply of
 * `--tokens` tokens streams at temperature 0, ten words are typed 200 ms apart, Ctrl+C
 * quits, and the figures the program wrote are read back. With more than one `--root`
 * (checkouts of the repository, e.g. before and after a change) the runs alternate
 * between them, round by round, so a busy machine weighs on each alike.
 *
 *     deno run -A bench/tui_frames.ts --rounds 5 --tokens 1500 --root /tmp/base --root .
 *
 * Prints one row per run and the median of each column per root, as a Markdown table.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { DATABASE_FILE, openDatabase } from "../storage/mod.ts";
import { TmuxSession } from "../tests/tui/_tmux.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    tokens: { type: "string", default: "1500" },
    root: { type: "string", multiple: true, default: ["."] },
    columns: { type: "string", default: "120" },
    rows: { type: "string", default: "40" },
  },
});
const roots = values.root.map((root) => resolve(root));
const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"];

type Summary = Record<string, number>;

/** One run in `root`: the figures the program wrote on exit. */
async function run(root: string): Promise<Summary> {
  const dataDir = await Deno.makeTempDir();
  const statsFile = `${dataDir}/frames.json`;
  const storage = openDatabase(`${dataDir}/${DATABASE_FILE}`);
  storage.settings.patch({ sampling: { max_tokens: Number(values.tokens), temperature: 0 } });
  storage.close();
  const tui = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", "main.ts", "tui", "--frame-stats", statsFile],
    {
      columns: Number(values.columns),
      rows: Number(values.rows),
      env: { HEARTH_HOME: dataDir, NO_COLOR: "" },
      cwd: root,
    },
  );
  try {
    await tui.waitFor("the screen", (s) => s.includes("Sessions (0)"), 120_000);
    await tui.waitFor("the model", (s) => s.includes("stories260K"), 120_000);
    await tui.type("Once upon a time");
    await tui.keys("Enter");
    // The metrics pane shows the reply's speed once it is stored (the reply's own status
    // line can be above the pane's top by then).
    await tui.waitFor("the reply", (s) => /tok\/s \d/.test(s), 600_000);
    for (const word of WORDS) {
      await tui.type(`${word} `);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await tui.keys("C-c");
    const deadline = Date.now() + 60_000;
    while (tui.running() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return JSON.parse(await Deno.readTextFile(statsFile));
  } finally {
    await tui.kill();
    await Deno.remove(dataDir, { recursive: true });
  }
}

const COLUMNS = [
  "frames",
  "frameP50Ms",
  "frameP99Ms",
  "streamFrames",
  "streamFrameP50Ms",
  "streamFrameP99Ms",
  "streamFrameMaxMs",
  "keys",
  "keyP50Ms",
  "keyP99Ms",
];
const cell = (value: number | undefined) =>
  value === undefined ? "–" : Number.isInteger(value) ? String(value) : value.toFixed(1);
const load = async () => (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];

console.log(`| root | load | ${COLUMNS.join(" | ")} |`);
console.log(`| --- | ---: | ${COLUMNS.map(() => "---:").join(" | ")} |`);
const byRoot = new Map<string, Summary[]>(roots.map((root) => [root, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  // Alternate the order too, so neither root always runs first in a round.
  const order = round % 2 === 0 ? roots : [...roots].reverse();
  for (const root of order) {
    const before = await load();
    const summary = await run(root);
    byRoot.get(root)!.push(summary);
    const row = COLUMNS.map((c) => cell(summary[c])).join(" | ");
    console.log(`| ${root} | ${before}-${await load()} | ${row} |`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\nmedians of the runs:\n\n| root | ${COLUMNS.join(" | ")} |`);
console.log(`| --- | ${COLUMNS.map(() => "---:").join(" | ")} |`);
for (const [root, runs] of byRoot) {
  const row = COLUMNS.map((c) =>
    runs.every((r) => r[c] !== undefined) ? cell(median(runs.map((r) => r[c]))) : "–"
  );
  console.log(`| ${root} | ${row.join(" | ")} |`);
}
