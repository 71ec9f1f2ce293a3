import { assertEquals, assertRejects } from "../tests/assert.ts";
import { createTableWriter, openTable, type TableFormat, TableFormatError } from "./mod.ts";

async function roundTripRaw(text: string, format: TableFormat = "csv"): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const input = `${dir}/in.${format}`;
    const output = `${dir}/out.${format}`;
    await Deno.writeTextFile(input, text);
    const reader = await openTable(input, format);
    const writer = await createTableWriter(output, format, reader.columns, {
      layout: reader.layout ?? undefined,
      rawPrefix: reader.columns.length,
    });
    for await (const row of reader.rows) await writer.writeRaw!(row.raw!, []);
    await writer.close();
    return await Deno.readTextFile(output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function roundTripValues(text: string, format: TableFormat): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const input = `${dir}/in.${format}`;
    const output = `${dir}/out.${format}`;
    await Deno.writeTextFile(input, text);
    const reader = await openTable(input, format);
    const rows = [];
    for await (const row of reader.rows) rows.push(row.values);
    const writer = await createTableWriter(output, format, reader.columns, {
      layout: reader.layout ?? undefined,
    });
    for (const values of rows) await writer.write(values);
    await writer.close();
    return await Deno.readTextFile(output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const EDGE_CSV = [
  '\ufeffid,text,"quoted ""name"""\r\n',
  '1,"a, b","say ""hi"""\r\n',
  '2,"line one\r\nline two",\r\n',
  '3,"lf only\ninside",plain\r\n',
  "4,héllo ✓,\r\n",
].join("");

Deno.test("CSV with a BOM, CRLF, quotes, commas and newlines in fields round-trips byte for byte", async () => {
  assertEquals(await roundTripRaw(EDGE_CSV), EDGE_CSV);
  // Written from values, not raw text: the same bytes, since every quote was needed.
  assertEquals(await roundTripValues(EDGE_CSV, "csv"), EDGE_CSV);
});

Deno.test("CSV fields are parsed per RFC 4180", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/in.csv`, EDGE_CSV);
    const reader = await openTable(`${dir}/in.csv`, "csv");
    assertEquals(reader.columns.map((c) => c.name), ["id", "text", 'quoted "name"']);
    assertEquals(reader.layout, {
      bom: true,
      eol: "\r\n",
      headerRaw: 'id,text,"quoted ""name"""',
    });
    const rows = [];
    for await (const row of reader.rows) rows.push(row.values);
    assertEquals(rows, [
      ["1", "a, b", 'say "hi"'],
      ["2", "line one\r\nline two", ""],
      ["3", "lf only\ninside", "plain"],
      ["4", "héllo ✓", ""],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TSV round-trips, LF and no BOM", async () => {
  const tsv = 'a\tb\nx y\t"tab\there"\n';
  assertEquals(await roundTripRaw(tsv, "tsv"), tsv);
  assertEquals(await roundTripValues(tsv, "tsv"), tsv);
});

Deno.test("a malformed CSV record is an error naming its line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [text, line] of [
        ['a,b\n1,2\n3,"x"y\n4,5\n', 3],
        ["a,b\r\n1,2\r\n3\r\n", 3],
        ['a,b\n1,"multi\nline"\n5,"open\n', 4],
        // A quote never closed is found at the end of the file: the record's own line.
        ['a,b\n1,"open\n2,ok\n3,ok\n', 2],
        ['a,b\r\n1,"multi\r\nline"\r\n2,"open\r\n3,ok\r\n4,ok\r\n', 4],
        ['a,"b\n1,2\n', 1],
        // A CRLF inside a quoted field is one line break (csv-parse counts it as two).
        ['a,b\r\n1,"m\r\nl"\r\n3,4\r\n5\r\n', 5],
        ['a,b\n1,"m\r\nl"\n3,4\n5\n', 5],
        ['a,b\r\n1,"m\r\nl"\r\n3,"x"y\r\n', 4],
        // A quote inside an unquoted field (csv-parse's one error code without "CSV_").
        ['a,b\n1,2\n3,x"y\n', 3],
      ] as const
    ) {
      await Deno.writeTextFile(`${dir}/bad.csv`, text);
      const error = await assertRejects(async () => {
        // A small file is parsed in one chunk: the error may come from the header read.
        const reader = await openTable(`${dir}/bad.csv`, "csv");
        for await (const _ of reader.rows) { /* read all */ }
      }, TableFormatError);
      assertEquals((error as TableFormatError).line, line, text);
      assertEquals(error.message.startsWith(`${dir}/bad.csv: line ${line}: `), true, error.message);
      // One line number only: the parser's own (wrong after a CRLF in a field) is dropped.
      assertEquals(error.message.match(/line \d+/g)?.length, 1, error.message);
    }
    await Deno.writeTextFile(`${dir}/empty.csv`, "");
    await assertRejects(() => openTable(`${dir}/empty.csv`, "csv"), TableFormatError, "empty");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JSONL round-trips; a bad line is named", async () => {
  const jsonl =
    '{"a":"x","n":1,"ok":true,"o":{"k":[1,2]}}\n{"a":"y\\nz","n":2.5,"ok":false,"o":null}\n';
  assertEquals(await roundTripValues(jsonl, "jsonl"), jsonl);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.jsonl`, '{"a":1}\n\n{"a":\n');
    const reader = await openTable(`${dir}/bad.jsonl`, "jsonl");
    await assertRejects(
      async () => {
        for await (const _ of reader.rows) { /* read all */ }
      },
      TableFormatError,
      "line 3",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Parquet round-trips strings, numbers, booleans, nulls and JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const columns = [
      { name: "text", type: "string" as const },
      { name: "n", type: "number" as const },
      { name: "ok", type: "boolean" as const },
      { name: "o", type: "json" as const },
    ];
    const rows = Array.from({ length: 25_001 }, (_, i) => [
      i % 7 === 0 ? null : `row ${i}, "quoted"\nnewline ✓`,
      i % 5 === 0 ? null : i * 1.5,
      i % 2 === 0,
      i % 3 === 0 ? null : JSON.stringify({ i, list: [i, "x"] }),
    ]);
    const writer = await createTableWriter(`${dir}/t.parquet`, "parquet", columns);
    for (const row of rows) await writer.write(row);
    await writer.close();
    const reader = await openTable(`${dir}/t.parquet`, "parquet");
    assertEquals(reader.columns, columns);
    const back = [];
    for await (const row of reader.rows) back.push(row.values);
    assertEquals(back, rows);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
