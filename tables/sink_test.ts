import { join } from "node:path";
import { assertEquals, assertRejects } from "../tests/assert.ts";
import { FileSink } from "./_sink.ts";

Deno.test("FileSink.close() that cannot publish (the path is a folder) leaves no partial file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "out.csv");
    await Deno.mkdir(path);
    const sink = await FileSink.create(path);
    await sink.write("a,b\n1,2\n");
    await assertRejects(() => sink.close(), Deno.errors.IsADirectory);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["out.csv"]);
    assertEquals(Deno.statSync(path).isDirectory, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
