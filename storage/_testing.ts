/**
 * Test helpers: a database in a fresh temporary folder, removed on dispose, and a
 * clock the test moves by hand.
 *
 * @module
 */
import { join } from "node:path";
import { openDatabase, type OpenDatabaseOptions, type Storage } from "./db.ts";

/** A clock that starts at a fixed time and moves only when told. */
export class FakeClock {
  /** The current time, ms since the epoch. */
  time: number;

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  /** Reads the time (pass as `now`). */
  readonly now = (): number => this.time;

  /** Moves the clock forward. */
  advance(ms = 1): number {
    this.time += ms;
    return this.time;
  }
}

/** A database file in its own temporary folder. */
export class TempDatabase {
  /** The folder, removed on dispose. */
  readonly dir: string;
  /** The database file. */
  readonly path: string;
  /** The clock every {@link TempDatabase.open} uses. */
  readonly clock = new FakeClock();
  readonly #open: Storage[] = [];

  constructor() {
    this.dir = Deno.makeTempDirSync({ prefix: "hearth-storage-" });
    this.path = join(this.dir, "data", "hearth.db");
  }

  /** Opens the file (again); every storage opened here is closed on dispose. */
  open(options: OpenDatabaseOptions = {}): Storage {
    const storage = openDatabase(this.path, { now: this.clock.now, ...options });
    this.#open.push(storage);
    return storage;
  }

  [Symbol.dispose](): void {
    for (const storage of this.#open) storage.close();
    Deno.removeSync(this.dir, { recursive: true });
  }
}
