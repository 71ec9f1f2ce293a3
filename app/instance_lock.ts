/**
 * One app per data folder: an exclusive lock on `hearth.lock` in the folder, and beside
 * it `instance.json`, where the holder says how to reach it (pid, UI server port and a
 * token for its instance route).
 *
 * The lock is an OS file lock (`Deno.FsFile.tryLock`: flock on Linux and macOS,
 * LockFileEx on Windows), so taking it is atomic and the OS drops it when its process
 * dies, even by SIGKILL: a stale `hearth.lock` or `instance.json` left by a dead process
 * is simply taken over. The lock file is never deleted: unlinking a locked file would
 * let a later start lock a new file of the same name while another holds the old one.
 * The info lives in its own file, written by rename, so readers never see half of it
 * (and Windows' mandatory locks do not keep them out).
 *
 * @module
 */
import { join } from "node:path";

/** The lock file's name inside the data folder. */
export const LOCK_FILE = "hearth.lock";
/** The name of the holder's {@link InstanceInfo} file inside the data folder. */
export const INSTANCE_FILE = "instance.json";

/** How to reach the app holding the lock, as written in {@link INSTANCE_FILE}. */
export interface InstanceInfo {
  /** The holder's process id. */
  pid: number;
  /** Its UI server's port on 127.0.0.1. */
  port: number;
  /** The bearer token of its instance route (not the launch secret). */
  token: string;
}

/**
 * The held lock of a data folder. {@link release} (or disposal, or the process's end)
 * gives it up.
 */
export class InstanceLock {
  /** A fresh random token, for the holder's instance route and {@link publish}. */
  readonly token: string = randomToken();
  readonly #dir: string;
  readonly #file: Deno.FsFile;
  #released = false;

  private constructor(dir: string, file: Deno.FsFile) {
    this.#dir = dir;
    this.#file = file;
  }

  /**
   * Takes the lock of data folder `dir` (created, mode 0700, if missing), without
   * waiting. A lock or info file left by a dead process is taken over; the info file
   * is removed, as it described the previous holder.
   *
   * @returns the held lock, or undefined when a live process holds it.
   * @throws {Deno.errors.PermissionDenied} and other file errors when the folder or
   *   the lock file cannot be created or opened.
   */
  static async acquire(dir: string): Promise<InstanceLock | undefined> {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    const file = await Deno.open(join(dir, LOCK_FILE), {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    let locked = false;
    try {
      locked = await file.tryLock(true);
    } finally {
      if (!locked) file.close();
    }
    if (!locked) return undefined;
    await Deno.remove(join(dir, INSTANCE_FILE)).catch(() => {});
    return new InstanceLock(dir, file);
  }

  /**
   * Writes {@link INSTANCE_FILE} (mode 0600) naming this process, `port` and
   * {@link token}, replacing it whole, so that later starts can reach this app.
   *
   * @param port The UI server's port on 127.0.0.1, 1 to 65535.
   * @throws {Error} when the lock was released.
   * @throws {RangeError} when `port` is not a port.
   */
  async publish(port: number): Promise<void> {
    if (this.#released) throw new Error("Cannot publish the instance: its lock was released");
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`Cannot publish the instance: port ${port} is not 1 to 65535`);
    }
    const info: InstanceInfo = { pid: Deno.pid, port, token: this.token };
    const path = join(this.#dir, INSTANCE_FILE);
    const temporary = `${path}.${Deno.pid}.${randomToken().slice(0, 8)}`;
    await Deno.writeTextFile(temporary, JSON.stringify(info), { createNew: true, mode: 0o600 });
    await Deno.rename(temporary, path);
  }

  /** Removes the info file and gives up the lock; idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      Deno.removeSync(join(this.#dir, INSTANCE_FILE));
    } catch {
      // Not published yet, or removed by hand: nothing to tell anyone.
    }
    this.#file.close(); // closing the file drops the OS lock
  }

  /** Same as {@link release}. */
  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * Reads the lock holder's {@link INSTANCE_FILE} in data folder `dir`. Trust it only
 * while {@link InstanceLock.acquire} fails: a holder writes it after it starts serving.
 *
 * @returns the info, or undefined when the file is missing or not valid info.
 */
export async function readInstanceInfo(dir: string): Promise<InstanceInfo | undefined> {
  let info;
  try {
    info = JSON.parse(await Deno.readTextFile(join(dir, INSTANCE_FILE)));
  } catch {
    return undefined;
  }
  const valid = typeof info === "object" && info !== null && Number.isInteger(info.pid) &&
    Number.isInteger(info.port) && typeof info.token === "string" && info.token !== "";
  return valid ? { pid: info.pid, port: info.port, token: info.token } : undefined;
}

/** 32 random bytes as hex. */
function randomToken(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
