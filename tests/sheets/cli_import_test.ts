/**
 * `hearth sheet run` on a big input: main.ts as a child process, a generated CSV of a
 * million rows (about 40 MB) and the real stories260K model. The import prints its
 * progress on stderr (a line a second in a pipe); Ctrl+C (SIGINT) during the import stops
 * it with one line saying nothing was kept, exit 1, and no state database or output left.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K } from "../models.ts";
import { writeCsv } from "./_csv.ts";
import { until } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Rows of the input: an import of many seconds here, so Ctrl+C lands inside it. */
const ROWS = 1_000_000;

/** An import progress line with rows stored (the file's name, bar, percent, rows, rate). */
const PROGRESS =
  /importing big\.csv \[[#.]+\] \d+% of [\d.]+ MB {2}[1-9][\d,]* rows {2}[\d,]+ rows\/s {2}ETA \S+/;

Deno.test("sheet run prints the import's progress on stderr; Ctrl+C mid-import keeps nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeCsv(join(dir, "big.csv"), ROWS);
    const out = join(dir, "out.csv");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "main.ts",
        "sheet",
        "run",
        join(dir, "big.csv"),
        "--column",
        "s={{text}}",
        "-m",
        STORIES_260K,
        "-o",
        out,
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reading = (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) stderr += text;
    })();
    await until(() => PROGRESS.test(stderr));
    child.kill("SIGINT");
    const status = await child.status;
    await reading;
    assertEquals(status.code, 1, stderr);
    const lines = stderr.split("\n").filter((line) => line !== "");
    assert(lines.slice(0, -1).every((line) => PROGRESS.test(line)), stderr);
    assertEquals(
      lines.at(-1),
      `hearth: interrupted while importing ${join(dir, "big.csv")}; nothing was kept`,
    );
    // Neither the run's state database (it held the rows) nor an output is left.
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(left, ["big.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
