/**
 * The workspace file layer over real HTTP on 127.0.0.1 (docs/ui-api.md, "Workspace
 * files"), driven through the UI's own client (ui/workspace_api.ts): binary bytes round
 * trip at odd offsets, write-behind then read, LRU eviction, reads in flight together,
 * paths that leave the workspace refused with 403, unknown handles, the launch secret.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { createWorkspaceApi, type WorkspaceApi } from "../../ui/workspace_api.ts";
import { ApiError } from "../../ui/api.ts";

interface Setup {
  app: RunningApp;
  api: WorkspaceApi;
  root: string;
  outside: string;
}

async function withWorkspace(
  fn: (setup: Setup & { workspace: string }) => Promise<void>,
  options: Parameters<typeof startApp>[0]["workspaceFiles"] = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hearth-workspace-" });
  const root = join(dir, "ws");
  const outside = join(dir, "outside");
  await Deno.mkdir(root);
  await Deno.mkdir(outside);
  await Deno.writeTextFile(join(outside, "secret.txt"), "secret");
  const app = await startApp({
    dataDir: join(dir, "data"),
    libraryRoots: [],
    loadDefaultModel: false,
    workspaceFiles: options,
  });
  try {
    const api = createWorkspaceApi(app.origin, { authorization: `Bearer ${app.secret}` });
    const { id } = await api.addWorkspace(root);
    await fn({ app, api, root, outside, workspace: id });
  } finally {
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The ApiError `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert(error instanceof ApiError, String(error));
    return error;
  }
  throw new Error("expected the call to fail");
}

function pattern(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 131 + seed + (i >> 9)) & 0xff;
  return bytes;
}

Deno.test("workspace API: binary bytes round-trip at odd offsets and lengths", async () => {
  await withWorkspace(async ({ api, root, workspace }) => {
    const data = pattern(2_500_003);
    const { handle } = await api.open(workspace, "sub-less.bin", "w");
    // Every byte value, odd cuts, out of order.
    const cuts = [0, 3, 256, 65_537, 1_048_583, 2_000_001, data.length];
    for (const i of [4, 1, 5, 0, 3, 2]) {
      const { bytes_written } = await api.write(handle, cuts[i], data.slice(cuts[i], cuts[i + 1]));
      assertEquals(bytes_written, cuts[i + 1] - cuts[i]);
    }
    // Write-behind: nothing has to be on disk yet, and a read sees it anyway.
    assertEquals(await api.read(handle, 255, 70_001), data.slice(255, 70_256));
    assertEquals((await api.statFile(handle)).size, data.length);
    assertEquals(await api.read(handle, data.length - 7, 1000), data.slice(data.length - 7));
    assertEquals((await api.read(handle, data.length + 10, 5)).length, 0);
    await api.close(handle);
    assertEquals(await Deno.readFile(join(root, "sub-less.bin")), data);
    // And back through the helpers, several reads in flight.
    const parts: Uint8Array[] = [];
    const size = await api.readFile(workspace, "sub-less.bin", (b) => void parts.push(b), {
      chunkBytes: 300_007,
      inFlight: 3,
    });
    assertEquals(size, data.length);
    assertEquals(new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer()), data);
    assertEquals((await api.stat(workspace, "sub-less.bin")).size, data.length);
    assertEquals((await api.list(workspace)).entries.map((e) => e.name), ["sub-less.bin"]);
  });
});

Deno.test("workspace API: reads in flight together on one handle each get their bytes", async () => {
  await withWorkspace(async ({ api, root, workspace }) => {
    const data = pattern(4 << 20, 9);
    await Deno.writeFile(join(root, "in.bin"), data);
    const { handle, size } = await api.open(workspace, "in.bin", "r");
    assertEquals(size, data.length);
    const ranges = Array.from({ length: 16 }, (_, i) => [(i * 262_147) % (4 << 20), 99_991]);
    const got = await Promise.all(ranges.map(([o, l]) => api.read(handle, o, l)));
    got.forEach((bytes, i) => assertEquals(bytes, data.slice(ranges[i][0], ranges[i][0] + 99_991)));
    const readOnly = await failure(api.write(handle, 0, new Uint8Array(1)));
    assertEquals([readOnly.status, readOnly.type], [409, "read_only"]);
  });
});

Deno.test("workspace API: the least recently used handle is evicted and says so", async () => {
  await withWorkspace(async ({ api, root, workspace }) => {
    const a = await api.open(workspace, "a.txt", "w");
    await api.write(a.handle, 0, new TextEncoder().encode("written before eviction"));
    await api.open(workspace, "b.txt", "w");
    await api.open(workspace, "c.txt", "w"); // three open, limit two: a goes
    const evicted = await failure(api.read(a.handle, 0, 1));
    assertEquals([evicted.status, evicted.type], [410, "handle_evicted"]);
    assert(evicted.message.includes("open the file again"), evicted.message);
    // Its buffer was written out on the way: poll, the eviction's close is not awaited.
    for (let i = 0; (await api.stat(workspace, "a.txt")).size === 0; i++) {
      assert(i < 200, "the evicted file's buffer was not written out");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assertEquals(await Deno.readTextFile(join(root, "a.txt")), "written before eviction");
    const unknown = await failure(api.read("18446744073709551615", 0, 1));
    assertEquals([unknown.status, unknown.type], [404, "unknown_handle"]);
    const closed = await api.open(workspace, "a.txt", "r");
    await api.close(closed.handle);
    assertEquals((await failure(api.close(closed.handle))).status, 404);
  }, { maxOpenFiles: 2 });
});

Deno.test("workspace API: paths that leave the workspace are refused with 403", async () => {
  await withWorkspace(async ({ api, root, outside, workspace }) => {
    await Deno.symlink(outside, join(root, "escape"));
    await Deno.symlink(join(outside, "secret.txt"), join(root, "link.txt"));
    const attempts: [() => Promise<unknown>, string][] = [
      [() => api.open(workspace, "../outside/secret.txt", "r"), "parent"],
      [() => api.open(workspace, "x/../../outside/secret.txt", "r"), "parent"],
      [() => api.open(workspace, join(outside, "secret.txt"), "r"), "absolute"],
      [() => api.open(workspace, "/etc/passwd", "r"), "absolute"],
      [() => api.open(workspace, "escape/secret.txt", "r"), "symlink"],
      [() => api.open(workspace, "link.txt", "r"), "symlink"],
      [() => api.open(workspace, "escape/planted.txt", "w"), "symlink"],
      [() => api.list(workspace, "escape"), "symlink"],
      [() => api.stat(workspace, "../outside"), "parent"],
    ];
    for (const [attempt, reason] of attempts) {
      const error = await failure(attempt());
      assertEquals([error.status, error.type, error.details.reason], [
        403,
        "path_outside_workspace",
        reason,
      ]);
    }
    assertEquals([...Deno.readDirSync(outside)].map((e) => e.name), ["secret.txt"]);
    const missing = await failure(api.open(workspace, "nope.txt", "r"));
    assertEquals([missing.status, missing.type], [404, "not_found"]);
    const noWorkspace = await failure(api.open("999", "a.txt", "r"));
    assertEquals([noWorkspace.status, noWorkspace.type], [404, "not_found"]);
    const badMode = await failure(api.open(workspace, "a.txt", "rw" as "r"));
    assertEquals(badMode.status, 400);
    const notFolder = await failure(api.addWorkspace(join(root, "nowhere")));
    assertEquals(notFolder.status, 404);
    const noDialog = await failure(api.chooseWorkspace());
    assertEquals(noDialog.status, 409);
    assertEquals((await api.workspaces()).can_choose, false);
  });
});

Deno.test("workspace API: needs the launch secret, the same origin and a binary body type", async () => {
  await withWorkspace(async ({ app, api, root, workspace }) => {
    await Deno.writeTextFile(join(root, "f.txt"), "hello");
    const { handle } = await api.open(workspace, "f.txt", "r+");
    const url = `${app.origin}/api/files/${handle}?offset=0&length=5`;
    const anonymous = await fetch(url);
    assertEquals([anonymous.status, (await anonymous.json()).error.type], [401, "unauthorized"]);
    const stranger = createWorkspaceApi(app.origin, { authorization: "Bearer wrong" });
    assertEquals((await failure(stranger.workspaces())).status, 401);
    assertEquals((await failure(stranger.open(workspace, "f.txt", "r"))).status, 401);
    const auth = { authorization: `Bearer ${app.secret}` };
    const put = (headers: Record<string, string>) =>
      fetch(`${app.origin}/api/files/${handle}?offset=0`, {
        method: "PUT",
        headers: { ...auth, ...headers },
        body: "HELLO",
      });
    const crossOrigin = await put({
      "content-type": "application/octet-stream",
      origin: "http://127.0.0.1:1",
    });
    assertEquals(crossOrigin.status, 403);
    await crossOrigin.body?.cancel();
    const plain = await put({ "content-type": "text/plain" });
    assertEquals(plain.status, 403);
    await plain.body?.cancel();
    const ok = await put({ "content-type": "application/octet-stream" });
    assertEquals(await ok.json(), { bytes_written: 5 });
    const read = await fetch(url, { headers: auth });
    assertEquals(read.headers.get("content-type"), "application/octet-stream");
    assertEquals(await read.text(), "HELLO");
  });
});

Deno.test("chat attachments: a workspace text file goes into the message through the file layer", async () => {
  await withWorkspace(async ({ app, root, workspace }) => {
    await Deno.writeTextFile(join(root, "notes.txt"), "Ticket 7: the printer is on fire.\n");
    await Deno.writeFile(join(root, "blob.bin"), new Uint8Array([0xff, 0xfe, 0x00, 0x80]));
    const headers = {
      authorization: `Bearer ${app.secret}`,
      "content-type": "application/json",
    };
    const post = (path: string, body: unknown) =>
      fetch(app.origin + path, { method: "POST", headers, body: JSON.stringify(body) });
    const chat = await (await post("/api/chats", {})).json();
    const send = (attachments: unknown) =>
      post(`/api/chats/${chat.id}/messages`, {
        content: "Summarize",
        parent_id: null,
        attachments,
      });
    const sent = await send([{ workspace, path: "notes.txt" }]);
    assertEquals(sent.status, 201);
    const { user } = await sent.json();
    assertEquals(
      user.content,
      'Summarize\n\n<file name="notes.txt">\nTicket 7: the printer is on fire.\n\n</file>',
    );
    const refused: [unknown, number, string][] = [
      [[{ workspace, path: "../outside/secret.txt" }], 403, "path_outside_workspace"],
      [[{ workspace, path: "blob.bin" }], 400, "invalid_request"],
      [[{ workspace, path: "missing.txt" }], 404, "not_found"],
      ["notes.txt", 400, "invalid_request"],
    ];
    for (const [attachments, status, type] of refused) {
      const response = await send(attachments);
      const { error } = await response.json();
      assertEquals([response.status, error.type], [status, type], error.message);
    }
    // Every attachment's handle was closed again.
    assertEquals(app.app.workspace.openFiles, 0);
  });
});

Deno.test("workspace API: readInto() fills one reused buffer, short at the end of the file", async () => {
  await withWorkspace(async ({ api, root, workspace }) => {
    const bytes = pattern((3 << 20) + 17, 5);
    await Deno.writeFile(join(root, "big.bin"), bytes);
    const { handle } = await api.open(workspace, "big.bin", "r");
    let buffer = new Uint8Array(1 << 20);
    const memory = buffer.byteLength;
    for (const offset of [0, 12345, 2 << 20]) {
      const got = await api.readInto(handle, offset, buffer);
      assertEquals(got, bytes.subarray(offset, offset + (1 << 20)));
      buffer = new Uint8Array(got.buffer, 0, 1 << 20);
    }
    const tail = await api.readInto(handle, 3 << 20, buffer);
    assertEquals(tail, bytes.subarray(3 << 20));
    assertEquals(tail.buffer.byteLength, memory);
    await api.close(handle);
  });
});

Deno.test("workspace API: writeFile() keeps writes in flight; each chunk's bytes land at its offset", async () => {
  await withWorkspace(async ({ api, root, workspace }) => {
    const chunk = 300_007;
    const expected = new Uint8Array(chunk * 10);
    const buffer = new Uint8Array(chunk);
    // One buffer for every chunk, refilled when the next is asked for.
    function* chunks() {
      for (let i = 0; i < 10; i++) {
        buffer.set(pattern(chunk, i + 3));
        expected.set(buffer, i * chunk);
        yield buffer;
      }
    }
    assertEquals(await api.writeFile(workspace, "many.bin", chunks(), { inFlight: 4 }), chunk * 10);
    assertEquals(await Deno.readFile(join(root, "many.bin")), expected);
  });
});

Deno.test("workspace API: a write body sent chunked (no Content-Length) or empty lands whole", async () => {
  await withWorkspace(async ({ app, api, root, workspace }) => {
    const data = pattern(200_003, 9);
    const { handle } = await api.open(workspace, "chunked.bin", "w");
    const put = (offset: number, body: BodyInit) =>
      fetch(`${app.origin}/api/files/${handle}?offset=${offset}`, {
        method: "PUT",
        body,
        headers: {
          authorization: `Bearer ${app.secret}`,
          "content-type": "application/octet-stream",
        },
      });
    // Pieces of odd sizes, more than the 64 KiB the body buffer starts with.
    const cuts = [0, 1, 70_001, 150_000, data.length];
    const pieces = cuts.slice(1).map((end, i) => data.slice(cuts[i], end));
    const chunked = await put(0, ReadableStream.from(pieces));
    assertEquals(await chunked.json(), { bytes_written: data.length });
    const empty = await put(data.length, new Uint8Array(0));
    assertEquals(await empty.json(), { bytes_written: 0 });
    await api.close(handle);
    assertEquals(await Deno.readFile(join(root, "chunked.bin")), data);
  });
});
