import { createHash } from "node:crypto";
import { join } from "node:path";
import * as tar from "tar";
import { assert, assertEquals, assertRejects } from "../tests/assert.ts";
import { LibraryLoadError } from "./errors.ts";
import { NODE_LLAMA_CPP_VERSION } from "./lib_version.ts";
import { fetchPrebuilt } from "./prebuilt.ts";
import { locateLibraries } from "./lib_dir.ts";

/** A package tarball laid out as the npm registry serves `@node-llama-cpp/<name>`. */
async function packTarball(): Promise<{ bytes: Uint8Array; integrity: string }> {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "package/bins/linux-x64"), { recursive: true });
    await Deno.writeTextFile(join(root, "package/package.json"), '{"name":"fake"}');
    await Deno.writeTextFile(join(root, "package/bins/linux-x64/libllama.so"), "not a library");
    await tar.c({ gzip: true, file: join(root, "p.tgz"), cwd: root }, ["package"]);
    const bytes = await Deno.readFile(join(root, "p.tgz"));
    const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
    return { bytes, integrity };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** A registry on 127.0.0.1 that serves `body` for every tarball and counts requests. */
function fakeRegistry(body: (bytes: Uint8Array) => BodyInit, bytes: Uint8Array) {
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    paths.push(new URL(request.url).pathname);
    return new Response(body(bytes));
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, paths, server };
}

Deno.test("fetchPrebuilt() downloads, verifies and unpacks once, then serves the cache", async () => {
  const { bytes, integrity } = await packTarball();
  const registry = fakeRegistry((b) => b.slice(), bytes);
  const cacheDir = await Deno.makeTempDir();
  try {
    const source = { cacheDir, registry: registry.url, integrity: { "linux-x64": integrity } };
    const dir = await fetchPrebuilt("linux-x64", source);
    assertEquals(dir, join(cacheDir, `linux-x64-${NODE_LLAMA_CPP_VERSION}`));
    assertEquals(
      await Deno.readTextFile(join(dir, "bins/linux-x64/libllama.so")),
      "not a library",
    );
    assertEquals(await fetchPrebuilt("linux-x64", source), dir);
    assertEquals(registry.paths, [
      `/@node-llama-cpp/linux-x64/-/linux-x64-${NODE_LLAMA_CPP_VERSION}.tgz`,
    ]);
    const location = await locateLibraries({ variant: "linux-x64", prebuilt: source });
    assertEquals(location.dir, join(dir, "bins/linux-x64"));
  } finally {
    await registry.server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("fetchPrebuilt() refuses bytes that differ from the pinned integrity and keeps nothing", async () => {
  const { bytes, integrity } = await packTarball();
  const registry = fakeRegistry((b) => {
    const changed = b.slice();
    changed[changed.length - 1] ^= 0xff;
    return changed;
  }, bytes);
  const cacheDir = await Deno.makeTempDir();
  try {
    const source = { cacheDir, registry: registry.url, integrity: { "linux-x64": integrity } };
    await assertRejects(() => fetchPrebuilt("linux-x64", source), LibraryLoadError, "integrity");
    assertEquals([...Deno.readDirSync(cacheDir)], []);
  } finally {
    await registry.server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("fetchPrebuilt() reports a body cut short and keeps nothing", async () => {
  const { bytes, integrity } = await packTarball();
  const registry = fakeRegistry((b) =>
    new ReadableStream({
      start(controller) {
        controller.enqueue(b.slice(0, b.length >> 1));
        controller.error(new Error("connection reset"));
      },
    }), bytes);
  const cacheDir = await Deno.makeTempDir();
  try {
    const source = { cacheDir, registry: registry.url, integrity: { "linux-x64": integrity } };
    const error = await assertRejects(() => fetchPrebuilt("linux-x64", source), LibraryLoadError);
    assert(error.message.startsWith("Cannot fetch prebuilt libllama"), error.message);
    assertEquals([...Deno.readDirSync(cacheDir)], []);
  } finally {
    await registry.server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("fetchPrebuilt() names the cache folder it cannot write", async () => {
  const parent = await Deno.makeTempDir();
  try {
    // A file where the cache folder should be: no folder can be made there.
    const cacheDir = join(parent, "cache");
    await Deno.writeTextFile(cacheDir, "");
    const error = await assertRejects(
      () => fetchPrebuilt("linux-x64", { cacheDir }),
      LibraryLoadError,
      "HEARTH_CACHE_DIR",
    );
    assert(error.message.includes(cacheDir), error.message);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("fetchPrebuilt() refuses a package name that is not pinned", async () => {
  await assertRejects(
    () => fetchPrebuilt("linux-x64-rocm", { cacheDir: "/nonexistent" }),
    LibraryLoadError,
    "no such prebuilt package",
  );
});

Deno.test("deno.lock names no prebuilt libllama package, so deno task fetches none of them", async () => {
  const lock = await Deno.readTextFile(new URL("../deno.lock", import.meta.url));
  assert(!lock.includes("@node-llama-cpp/"), "deno.lock names an @node-llama-cpp package");
});
