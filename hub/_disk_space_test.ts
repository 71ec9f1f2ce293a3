import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { DiskSpaceError } from "./errors.ts";
import { availableBytes, checkDiskSpace, parseDfAvailable } from "./_disk_space.ts";

Deno.test("parseDfAvailable() reads the Available column of df -Pk", () => {
  const output = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n" +
    "/dev/vda         264212084 26875648  79515264      26% /\n";
  assertEquals(parseDfAvailable(output), 79515264 * 1024);
  assertEquals(parseDfAvailable("garbage"), null);
  assertEquals(parseDfAvailable(""), null);
});

Deno.test("availableBytes() reports free space of a real directory", async () => {
  const free = await availableBytes(Deno.cwd());
  assert(free === null || free > 0);
  if (Deno.build.os === "linux") assert(free !== null && free > 0, "df works on Linux");
});

Deno.test("checkDiskSpace() throws DiskSpaceError when the file will not fit", () => {
  const error = assertThrows(
    () => checkDiskSpace("/cache/blobs", 5 * 1024 ** 3, 1024 ** 3),
    DiskSpaceError,
    "5.00 GiB needed but only 1.00 GiB free",
  );
  assertEquals([error.neededBytes, error.availableBytes], [5 * 1024 ** 3, 1024 ** 3]);
  checkDiskSpace("/cache/blobs", 10, 10);
  checkDiskSpace("/cache/blobs", 10, null); // unknown: skipped
});
