/**
 * Compiles a C program against the pinned llama.h (from the llama.cpp source the
 * node-llama-cpp package ships) and compares every sizeof and offsetof with the
 * layouts in ffi/structs.ts.
 */
import { assertEquals } from "../tests/assert.ts";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ALL_LAYOUTS } from "./structs.ts";

async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stderr: "piped" }).output();
  if (!output.success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout).trim();
}

Deno.test("struct layouts match the pinned llama.h and mtmd.h", async () => {
  const script = fileURLToPath(new URL("../native/fetch_source.sh", import.meta.url));
  const src = (await run("bash", [script])).split("\n").at(-1)!;
  const lines = [
    "#include <stdio.h>",
    "#include <stddef.h>",
    '#include "llama.h"',
    '#include "ggml-cpu.h"',
    '#include "mtmd.h"',
    '#include "mtmd-helper.h"',
    "int main(void) {",
  ];
  for (const layout of ALL_LAYOUTS) {
    lines.push(`printf("${layout.name} size %zu\\n", sizeof(struct ${layout.name}));`);
    lines.push(`printf("${layout.name} align %zu\\n", _Alignof(struct ${layout.name}));`);
    for (const field of Object.keys(layout.offsets)) {
      lines.push(
        `printf("${layout.name} ${field} %zu\\n", offsetof(struct ${layout.name}, ${field}));`,
      );
    }
  }
  lines.push("return 0; }");
  const dir = await Deno.makeTempDir();
  try {
    const source = join(dir, "layout.c");
    await Deno.writeTextFile(source, lines.join("\n"));
    const binary = join(dir, "layout");
    await run("cc", [
      "-std=c11",
      `-I${join(src, "include")}`,
      `-I${join(src, "ggml", "include")}`,
      `-I${join(src, "tools", "mtmd")}`,
      source,
      "-o",
      binary,
    ]);
    const expected = new Map<string, number>();
    for (const line of (await run(binary, [])).split("\n")) {
      const [struct, field, value] = line.split(" ");
      expected.set(`${struct}.${field}`, Number(value));
    }
    const actual = new Map<string, number>();
    for (const layout of ALL_LAYOUTS) {
      actual.set(`${layout.name}.size`, layout.size);
      actual.set(`${layout.name}.align`, layout.align);
      for (const [field, offset] of Object.entries(layout.offsets)) {
        actual.set(`${layout.name}.${field}`, offset as number);
      }
    }
    assertEquals(Object.fromEntries(actual), Object.fromEntries(expected));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
