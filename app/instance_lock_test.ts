import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../tests/assert.ts";
import { INSTANCE_FILE, InstanceLock, LOCK_FILE, readInstanceInfo } from "./instance_lock.ts";

const MODULE = fileURLToPath(new URL("./instance_lock.ts", import.meta.url));

/**
 * Starts a Deno process that tries the lock of `dir`, prints "got" or "held", publishes
 * port 1234 if it got it, and then holds on until its stdin closes.
 */
function lockHolder(dir: string) {
  const script = `
    import { InstanceLock } from ${JSON.stringify(MODULE)};
    const lock = await InstanceLock.acquire(${JSON.stringify(dir)});
    if (lock) await lock.publish(1234);
    console.log(lock ? "got" : "held");
    for await (const _ of Deno.stdin.readable) { /* hold until stdin closes */ }
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  return {
    child,
    /** The first line it printed. */
    answer: async () => (await lines.read()).value?.trim(),
    /** Closes its stdin and waits for it. */
    async stop() {
      await child.stdin.close().catch(() => {});
      await lines.cancel();
      await child.status;
    },
  };
}

Deno.test("InstanceLock.acquire() holds a data folder until release()", async () => {
  const dir = join(await Deno.makeTempDir(), "new folder");
  try {
    const lock = await InstanceLock.acquire(dir);
    assert(lock, "the first acquire gets the lock");
    assertEquals(await InstanceLock.acquire(dir), undefined);
    assertEquals(await readInstanceInfo(dir), undefined, "no info before publish()");
    await lock.publish(4321);
    assertEquals(await readInstanceInfo(dir), { pid: Deno.pid, port: 4321, token: lock.token });
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(join(dir, LOCK_FILE))).mode! & 0o777, 0o600);
      assertEquals((await Deno.stat(join(dir, INSTANCE_FILE))).mode! & 0o777, 0o600);
    }
    lock.release();
    lock.release(); // idempotent
    assertEquals(await readInstanceInfo(dir), undefined, "release() removes the info");
    using again = await InstanceLock.acquire(dir);
    assert(again, "a released lock can be taken again");
    assert(again.token !== lock.token, "every holder has its own token");
  } finally {
    await Deno.remove(dirname(dir), { recursive: true });
  }
});

Deno.test("InstanceLock.acquire() takes over the files of a process that is gone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A finished process's pid: nothing holds the lock, the files stay behind.
    const gone = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" })
      .spawn();
    await gone.status;
    await Deno.writeTextFile(join(dir, LOCK_FILE), "");
    const stale = { pid: gone.pid, port: 9, token: "stale" };
    await Deno.writeTextFile(join(dir, INSTANCE_FILE), JSON.stringify(stale));
    assertEquals(await readInstanceInfo(dir), stale);
    using lock = await InstanceLock.acquire(dir);
    assert(lock, "a lock file nobody holds is taken over");
    assertEquals(await readInstanceInfo(dir), undefined, "the stale info is dropped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("InstanceLock.acquire() takes over from a process killed with SIGKILL", async () => {
  const dir = await Deno.makeTempDir();
  const holder = lockHolder(dir);
  try {
    assertEquals(await holder.answer(), "got");
    assertEquals((await readInstanceInfo(dir))?.pid, holder.child.pid);
    assertEquals(await InstanceLock.acquire(dir), undefined, "held by a live process");
    holder.child.kill("SIGKILL");
    assertEquals((await holder.child.status).signal, "SIGKILL");
    using lock = await InstanceLock.acquire(dir);
    assert(lock, "the OS dropped the dead process's lock");
  } finally {
    await holder.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("InstanceLock.acquire() gives the lock to exactly one of two processes", async () => {
  const dir = await Deno.makeTempDir();
  const holders = [lockHolder(dir), lockHolder(dir)];
  try {
    const answers = await Promise.all(holders.map((holder) => holder.answer()));
    assertEquals(answers.sort(), ["got", "held"]);
  } finally {
    await Promise.all(holders.map((holder) => holder.stop()));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readInstanceInfo() returns undefined for a missing or malformed file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(await readInstanceInfo(dir), undefined);
    for (const text of ["", "{", "null", '{"pid":1,"port":"80","token":"t"}', '{"pid":1}']) {
      await Deno.writeTextFile(join(dir, INSTANCE_FILE), text);
      assertEquals(await readInstanceInfo(dir), undefined, text);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
