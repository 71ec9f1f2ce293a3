import { assert, assertEquals, assertRejects } from "../tests/assert.ts";
import { STORIES_260K } from "../tests/models.ts";
import { verifyFile, type VerifyProgress } from "./verify_file.ts";

const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

Deno.test("verifyFile() accepts stories260K against its published sha256", async () => {
  const reports: VerifyProgress[] = [];
  const result = await verifyFile(STORIES_260K, STORIES_SHA256.toUpperCase(), {
    onProgress: (p) => reports.push(p),
  });
  const size = (await Deno.stat(STORIES_260K)).size;
  assertEquals(result, { ok: true, sha256: STORIES_SHA256, sizeBytes: size });
  assertEquals(reports.at(-1), { hashedBytes: size, totalBytes: size });
});

Deno.test("verifyFile() detects one flipped byte", async () => {
  const copy = await Deno.makeTempFile({ suffix: ".gguf" });
  try {
    const bytes = await Deno.readFile(STORIES_260K);
    bytes[700_001] ^= 0x01;
    await Deno.writeFile(copy, bytes);
    const result = await verifyFile(copy, STORIES_SHA256);
    assertEquals(result.ok, false);
    assert(result.sha256 !== STORIES_SHA256);
  } finally {
    await Deno.remove(copy);
  }
});

Deno.test("verifyFile() rejects a malformed hash and a missing file", async () => {
  await assertRejects(() => verifyFile(STORIES_260K, "abc"), TypeError, "not a sha256");
  await assertRejects(
    () => verifyFile("/nonexistent/x.gguf", STORIES_SHA256),
    Deno.errors.NotFound,
  );
});
