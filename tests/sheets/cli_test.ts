/**
 * `hearth sheet run` end to end: main.ts as a child process on real files and the real
 * stories260K model; a kill -9 mid-job, then `--resume`.
 */
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { openTable } from "../../tables/mod.ts";
import { statePath } from "../../cli/sheet.ts";
import { STORIES_260K } from "../models.ts";
import { until } from "./_helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function command(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "sheet", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function sheet(...args: string[]): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await command(args).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

function assertOneLineError(run: { code: number; stderr: string }, includes: string): void {
  assertEquals(run.code, 1, run.stderr);
  const lines = run.stderr.split("\n").filter((line) => line !== "");
  assertEquals(lines.length, 1, run.stderr);
  assert(lines[0].startsWith("hearth: ") && lines[0].includes(includes), lines[0]);
}

async function readAll(path: string): Promise<{ names: string[]; rows: unknown[][] }> {
  const format = path.endsWith(".parquet") ? "parquet" : path.endsWith(".jsonl") ? "jsonl" : "csv";
  const reader = await openTable(path, format);
  const rows = [];
  for await (const row of reader.rows) rows.push(row.values);
  return { names: reader.columns.map((c) => c.name), rows };
}

Deno.test("sheet run keeps every input byte and row, adds the columns, reports progress", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const records = ['1,"Lily, the cat"', '2,"Tom went\r\nhome ""fast"""', "3,The sun"];
    await Deno.writeTextFile(`${dir}/in.csv`, `\ufeffid,text\r\n${records.join("\r\n")}\r\n`);
    const run = await sheet(
      "run",
      `${dir}/in.csv`,
      "--column",
      "summary=Summarize: {{text}}",
      "--column",
      "more={{summary}} Then",
      "-m",
      STORIES_260K,
      "-n",
      "6",
      "-o",
      `${dir}/out.csv`,
    );
    assertEquals(run.code, 0, run.stderr);
    assert(run.stderr.includes("3/3 rows"), run.stderr);
    const out = await Deno.readTextFile(`${dir}/out.csv`);
    assert(out.startsWith("\ufeffid,text,summary,more\r\n"), out);
    // Each input record, byte for byte, in order, then the new fields.
    const raws = [];
    for await (const row of (await openTable(`${dir}/out.csv`, "csv")).rows) raws.push(row.raw!);
    assertEquals(raws.length, records.length);
    raws.forEach((raw, i) => assert(raw.startsWith(`${records[i]},`), raw));
    const { names, rows } = await readAll(`${dir}/out.csv`);
    assertEquals(names, ["id", "text", "summary", "more"]);
    assertEquals(rows.map((r) => r.slice(0, 2)), [
      ["1", "Lily, the cat"],
      ["2", 'Tom went\r\nhome "fast"'],
      ["3", "The sun"],
    ]);
    assert(rows.every((r) => (r[2] as string).length > 0 && (r[3] as string).length > 0));
    // The run's state is gone once the output is written.
    assertEquals(await Deno.stat(statePath(`${dir}/out.csv`)).catch(() => null), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sheet run reads JSONL and writes Parquet", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/in.jsonl`,
      '{"id":1,"text":"A cat."}\n{"id":2,"text":"A dog.","extra":true}\n',
    );
    const run = await sheet(
      "run",
      `${dir}/in.jsonl`,
      "--column",
      "s={{text}}",
      "-m",
      STORIES_260K,
      "-n",
      "4",
      "-o",
      `${dir}/out.parquet`,
    );
    assertEquals(run.code, 0, run.stderr);
    const { names, rows } = await readAll(`${dir}/out.parquet`);
    assertEquals(names, ["id", "text", "extra", "s"]);
    assertEquals(rows.map((r) => r.slice(0, 3)), [[1, "A cat.", null], [2, "A dog.", true]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sheet run exits 1 with one line on bad input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.csv`, 'id,text\n1,ok\n2,"x"y\n');
    await Deno.writeTextFile(`${dir}/ok.csv`, "id,text\n1,ok\n");
    const out = ["-o", `${dir}/out.csv`];
    assertOneLineError(
      await sheet("run", `${dir}/bad.csv`, "--column", "s={{text}}", ...out),
      "line 3",
    );
    assertOneLineError(
      await sheet("run", `${dir}/ok.csv`, "--column", "s={{txet}}", ...out),
      'no column "txet"',
    );
    assertOneLineError(await sheet("run", `${dir}/ok.csv`, ...out), "--column");
    assertOneLineError(
      await sheet("run", `${dir}/missing.csv`, "--column", "s=x", ...out),
      `Cannot read the input ${dir}/missing.csv: no such file`,
    );
    assertOneLineError(
      await sheet("run", `${dir}/ok.txt`, "--column", "s=x", ...out),
      "Cannot tell the table format",
    );
    // A --json-schema file that is missing, not JSON, or a schema the grammar cannot take.
    await Deno.writeTextFile(`${dir}/bad.json`, "{type: object");
    await Deno.writeTextFile(`${dir}/odd.json`, '{"type": "strin"}');
    const withSchema = (file: string) =>
      sheet("run", `${dir}/ok.csv`, "--column", "s=x", "--json-schema", file, ...out);
    assertOneLineError(
      await withSchema(`${dir}/no.json`),
      `Cannot read --json-schema ${dir}/no.json: no such file`,
    );
    assertOneLineError(
      await withSchema(`${dir}/bad.json`),
      `--json-schema ${dir}/bad.json is not JSON`,
    );
    assertOneLineError(await withSchema(`${dir}/odd.json`), 'The JSON schema of "s"');
    // An output that cannot be written is refused before any work.
    await Deno.mkdir(`${dir}/taken.csv`);
    assertOneLineError(
      await sheet("run", `${dir}/ok.csv`, "--column", "s=x", "-o", `${dir}/taken.csv`),
      `Cannot write -o ${dir}/taken.csv: it is a folder`,
    );
    assertOneLineError(
      await sheet("run", `${dir}/ok.csv`, "--column", "s=x", "-o", `${dir}/ok.csv/out.csv`),
      `Cannot write -o ${dir}/ok.csv/out.csv: a file is in the way of its folder`,
    );
    await Deno.remove(`${dir}/taken.csv`);
    await Deno.remove(`${dir}/bad.json`);
    await Deno.remove(`${dir}/odd.json`);
    assertOneLineError(await sheet("run", `${dir}/ok.csv`, "--column", "s={{text}}"), "-o");
    assertOneLineError(
      await sheet("run", `${dir}/ok.csv`, "--column", "s={{text}}", "-m", `${dir}/no.gguf`, ...out),
      "no.gguf",
    );
    assertOneLineError(
      await sheet("run", `${dir}/ok.csv`, "--column", "s={{text}}", "-o", `${dir}/out.xlsx`),
      ".csv",
    );
    // Nothing is left behind by a failed start.
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["bad.csv", "ok.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kill -9 mid-job, then --resume: every row exactly once, finished cells kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const n = 40;
    const lines = Array.from(
      { length: n },
      (_, i) => `${i},Once upon a time a bird number ${i} sang.`,
    );
    await Deno.writeTextFile(join(dir, "in.csv"), ["id,text", ...lines].join("\n") + "\n");
    const out = join(dir, "out.csv");
    const args = [
      "run",
      join(dir, "in.csv"),
      "--column",
      "next=Continue the story: {{text}}",
      "-m",
      STORIES_260K,
      "--parallel",
      "2",
      "-n",
      "24",
      "-o",
      out,
    ];
    const child = command(args).spawn();
    const state = statePath(out);
    const finished = () => {
      try {
        using db = new DatabaseSync(state, { readOnly: true });
        return db.prepare(
          "SELECT row_idx, value, updated_at FROM sheet_cells WHERE state = 'done' ORDER BY row_idx",
        ).all() as { row_idx: number; value: string; updated_at: number }[];
      } catch {
        return []; // not created (or not migrated) yet
      }
    };
    await until(() => finished().length >= 3);
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assert(!status.success);
    const before = finished();
    assert(before.length >= 3 && before.length < n, `${before.length} cells done before the kill`);

    const resumed = await sheet(...args, "--resume");
    assertEquals(resumed.code, 0, resumed.stderr);
    const { rows } = await readAll(out);
    assertEquals(rows.map((r) => r[0]), lines.map((_, i) => String(i)));
    assert(rows.every((r) => typeof r[2] === "string" && r[2] !== ""));
    // The cells saved before the kill are in the output as they were: not generated again.
    for (const cell of before) assertEquals(rows[cell.row_idx][2], cell.value);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
