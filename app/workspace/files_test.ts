import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { TempDatabase } from "../../storage/_testing.ts";
import { WorkspaceFiles } from "./files.ts";
import { open } from "node:fs/promises";
import {
  fileError,
  FileHandleError,
  PathOutsideWorkspaceError,
  WorkspaceFileError,
} from "./errors.ts";
import { OpenFile } from "./open_file.ts";

/** A workspace folder with a database, on real files; removed on dispose. */
function setup(options: ConstructorParameters<typeof WorkspaceFiles>[1] = {}) {
  const db = new TempDatabase();
  const root = join(db.dir, "ws");
  const outside = join(db.dir, "outside");
  Deno.mkdirSync(root);
  Deno.mkdirSync(outside);
  Deno.writeTextFileSync(join(outside, "secret.txt"), "secret");
  const files = new WorkspaceFiles(db.open().workspaceFolders, { log: () => {}, ...options });
  return {
    root,
    outside,
    files,
    async [Symbol.asyncDispose]() {
      await files.closeAll();
      db[Symbol.dispose]();
    },
  };
}

function pattern(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

Deno.test("WorkspaceFiles: positional writes at odd offsets read back byte for byte", async () => {
  await using t = setup({ flushThresholdBytes: 1 << 20 });
  const { id } = await t.files.addFolder(t.root);
  const { handle, size } = await t.files.open(id, "./data.bin", "w");
  assertEquals(size, 0);
  assert(/^[0-9]+$/.test(handle));
  const data = pattern(3_000_017);
  // Out of order, odd sizes, one small write among them (coalesced).
  const cuts = [0, 1, 7, 65_535, 65_541, 1_000_003, 2_999_999, data.length];
  const pieces = cuts.slice(1).map((end, i) => [cuts[i], end]).reverse();
  for (const [start, end] of pieces) await t.files.write(handle, start, data.slice(start, end));
  // Write-behind: a read of the same range sees the buffered bytes.
  assertEquals(await t.files.read(handle, 3, 11), data.slice(3, 14));
  assertEquals(await t.files.read(handle, 2_999_990, 100), data.slice(2_999_990));
  assertEquals(await t.files.read(handle, data.length + 5, 10), new Uint8Array(0));
  assertEquals((await t.files.statHandle(handle)).size, data.length);
  await t.files.close(handle);
  assertEquals(await Deno.readFile(join(t.root, "data.bin")), data);
  await assertRejects(() => t.files.read(handle, 0, 1), FileHandleError, "no file is open");
});

Deno.test("WorkspaceFiles.write() copies: one buffer reused for every write, across flushes", async () => {
  await using t = setup({ flushThresholdBytes: 1 << 20 });
  const { id } = await t.files.addFolder(t.root);
  const { handle } = await t.files.open(id, "reuse.bin", "w");
  const chunk = 600_001;
  const buffer = new Uint8Array(chunk);
  const expected = new Uint8Array(chunk * 9);
  // Nine writes (several flushes and staging buffers), each from the same memory.
  for (let i = 0; i < 9; i++) {
    buffer.set(pattern(chunk, i + 1));
    expected.set(buffer, i * chunk);
    await t.files.write(handle, i * chunk, buffer);
    buffer.fill(0xee); // whatever the caller does next must not reach the file
  }
  // Small writes in a row, also from one reused buffer.
  const small = new Uint8Array(3);
  for (let i = 0; i < 5; i++) {
    small.set([i, i + 1, i + 2]);
    await t.files.write(handle, 10 + i * 3, small);
    expected.set(small, 10 + i * 3);
  }
  assertEquals(await t.files.read(handle, 0, 40), expected.slice(0, 40));
  await t.files.close(handle);
  assertEquals(await Deno.readFile(join(t.root, "reuse.bin")), expected);
});

Deno.test("WorkspaceFiles: reads in flight together on one handle each get their range", async () => {
  await using t = setup();
  const { id } = await t.files.addFolder(t.root);
  const data = pattern(5 << 20, 3);
  await Deno.writeFile(join(t.root, "big.bin"), data);
  const { handle, size } = await t.files.open(id, "big.bin", "r");
  assertEquals(size, data.length);
  const ranges = Array.from({ length: 32 }, (_, i) => [(i * 163_841) % (5 << 20), 100_003]);
  const results = await Promise.all(ranges.map(([o, l]) => t.files.read(handle, o, l)));
  results.forEach((bytes, i) => {
    const [o, l] = ranges[i];
    assertEquals(bytes, data.slice(o, o + l));
  });
  await assertRejects(() => t.files.write(handle, 0, new Uint8Array(1)), FileHandleError, '"r"');
});

Deno.test("WorkspaceFiles: the least recently used handle is flushed, closed and reported evicted", async () => {
  await using t = setup({ maxOpenFiles: 2 });
  const { id } = await t.files.addFolder(t.root);
  const a = await t.files.open(id, "a.txt", "w");
  await t.files.write(a.handle, 0, new TextEncoder().encode("buffered in a"));
  const b = await t.files.open(id, "b.txt", "w");
  await t.files.read(a.handle, 0, 1); // a is now the most recently used
  await t.files.open(id, "c.txt", "w"); // evicts b, not a
  await assertRejects(() => t.files.read(b.handle, 0, 1), FileHandleError, "closed to make room");
  await t.files.open(id, "d.txt", "w"); // evicts a: its buffer is written out
  await assertRejects(() => t.files.write(a.handle, 0, new Uint8Array(1)), FileHandleError, "room");
  assertEquals(t.files.openFiles, 2);
  // The eviction's close runs in the background; a new handle waits for it.
  const again = await t.files.open(id, "a.txt", "r");
  assertEquals(new TextDecoder().decode(await t.files.read(again.handle, 0, 100)), "buffered in a");
  await assertRejects(() => t.files.read("12345", 0, 1), FileHandleError, "no file is open");
});

Deno.test("WorkspaceFiles: paths outside the workspace are refused", async () => {
  await using t = setup();
  const { id } = await t.files.addFolder(t.root);
  Deno.symlinkSync(t.outside, join(t.root, "escape"));
  Deno.symlinkSync(join(t.outside, "secret.txt"), join(t.root, "secret-link"));
  Deno.symlinkSync(join(t.outside, "new.txt"), join(t.root, "dangling"));
  Deno.writeTextFileSync(join(t.root, "inside.txt"), "ok");
  Deno.symlinkSync(join(t.root, "inside.txt"), join(t.root, "inside-link"));
  const refused: [string, "r" | "w", string][] = [
    ["../outside/secret.txt", "r", '".."'],
    ["a/../../outside/secret.txt", "r", '".."'],
    [join(t.outside, "secret.txt"), "r", "absolute"],
    ["escape/secret.txt", "r", "symlink"],
    ["secret-link", "r", "symlink"],
    ["escape/new.txt", "w", "symlink"],
    ["dangling", "w", "symlink"],
  ];
  for (const [path, mode, why] of refused) {
    await assertRejects(() => t.files.open(id, path, mode), PathOutsideWorkspaceError, why);
  }
  await assertRejects(() => t.files.list(id, "escape"), PathOutsideWorkspaceError, "symlink");
  await assertRejects(() => t.files.stat(id, ".."), PathOutsideWorkspaceError);
  const { handle } = await t.files.open(id, "inside-link", "r");
  assertEquals(new TextDecoder().decode(await t.files.read(handle, 0, 10)), "ok");
  assertEquals(Deno.readDirSync(t.outside).toArray().map((e) => e.name), ["secret.txt"]);
});

Deno.test("WorkspaceFiles: list, stat and clear errors for missing files and folders", async () => {
  await using t = setup();
  const { id } = await t.files.addFolder(t.root);
  Deno.mkdirSync(join(t.root, "dir"));
  Deno.writeTextFileSync(join(t.root, "dir", "x.csv"), "a,b\n");
  const { entries } = await t.files.list(id);
  assertEquals(entries.map((e) => [e.name, e.kind]), [["dir", "directory"]]);
  assertEquals((await t.files.list(id, "dir")).entries.map((e) => [e.path, e.size]), [[
    "dir/x.csv",
    4,
  ]]);
  assertEquals((await t.files.stat(id, "dir/x.csv")).size, 4);
  await assertRejects(() => t.files.open(id, "nope.txt", "r"), WorkspaceFileError, "not exist");
  await assertRejects(() => t.files.open(id, "no/dir.txt", "w"), WorkspaceFileError, "not exist");
  await assertRejects(() => t.files.open(id, "dir", "r"), WorkspaceFileError, "folder");
  await assertRejects(() => t.files.open(id, "dir/x.csv", "wx"), WorkspaceFileError, "exists");
  await assertRejects(() => t.files.addFolder(join(t.root, "dir", "x.csv")), WorkspaceFileError);
});

Deno.test("OpenFile: a full disk fails the write-out with a clear error, at close at the latest", async () => {
  // /dev/full answers every write with ENOSPC, as a full disk does.
  const file = new OpenFile(
    { handle: "1", workspace: "1", path: "full.bin", realPath: "/dev/full", writable: true },
    await open("/dev/full", "r+"),
    4,
  );
  await file.write(0, new Uint8Array(3)); // buffered: nothing written yet
  await file.write(3, new Uint8Array(3)); // reaches the threshold: the write-out starts
  await assertRejects(() => file.flush(), WorkspaceFileError, "disk is full");
  await assertRejects(() => file.close(), WorkspaceFileError, "disk is full");
  await assertRejects(() => file.read(0, 1), FileHandleError, "closed");
});

Deno.test("fileError() names permission and disk problems by errno", () => {
  const cases: [string, string][] = [
    ["EACCES", "permission denied"],
    ["EROFS", "permission denied"],
    ["ENOSPC", "disk is full"],
    ["EDQUOT", "disk is full"],
    ["EIO", "input/output error"],
  ];
  for (const [code, says] of cases) {
    const error = fileError(Object.assign(new Error(`${code}: x`), { code }), "a.txt");
    assert(error instanceof WorkspaceFileError && error.message.includes(says), error.message);
  }
});
