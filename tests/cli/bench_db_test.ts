/**
 * `deno task bench` saves each pp/tg run in SQLite: by default in the app's database under
 * `$HEARTH_HOME`, with `--db FILE` in that file, with `--no-db` nowhere. Real runs of the
 * command on stories260K with tiny tests (pp8, tg4, one repetition).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K } from "../models.ts";
import { openDatabase } from "../../storage/mod.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TINY = ["bench", "-m", STORIES_260K, "-p", "8", "-n", "4", "-r", "1", "-t", "1"];

async function bench(home: string, ...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...TINY, ...args],
    cwd: ROOT,
    env: { HEARTH_HOME: home },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("bench saves its run in the app's database, in --db FILE, or with --no-db nowhere", async () => {
  const home = await Deno.makeTempDir({ prefix: "hearth-bench-db-" });
  try {
    const run = await bench(home, "-o", "json");
    assertEquals(run.code, 0, run.stderr);
    // stdout stays the JSON the format promises; the note goes to stderr.
    assertEquals(JSON.parse(run.stdout).length, 2);
    assert(run.stderr.includes(join(home, "hearth.db")), run.stderr);
    {
      using storage = openDatabase(join(home, "hearth.db"));
      const [saved, ...more] = storage.benchRuns.list();
      assertEquals(more, []);
      assertEquals(saved.model_filename, STORIES_260K);
      assertEquals(saved.params.n_prompt, [8]);
      assertEquals(saved.params.n_gen, [4]);
      assertEquals([saved.params.n_threads, saved.params.repetitions], [1, 1]);
      assertEquals(saved.results.map((r) => r.test), ["pp8", "tg4"]);
      for (const result of saved.results) {
        assert(result.avg_ts > 0, JSON.stringify(result));
        assertEquals(result.samples_ns.length, 1);
      }
    }

    const other = join(home, "elsewhere", "bench.db");
    assertEquals((await bench(home, "-o", "csv", "--db", other)).code, 0);
    assertEquals((await bench(home, "-o", "csv", "--no-db")).code, 0);
    using app = openDatabase(join(home, "hearth.db"));
    using file = openDatabase(other);
    assertEquals(app.benchRuns.list().length, 1);
    assertEquals(file.benchRuns.list().length, 1);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
