/**
 * Where the database lives. The environment is passed in: config/config.ts is the one place
 * that reads `Deno.env`.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";

/** The database's file name inside the data directory. */
export const DATABASE_FILE = "hearth.db";

/**
 * Computes Hearth's data directory: `$HEARTH_HOME` if set, else `$XDG_DATA_HOME/hearth`,
 * else `~/.local/share/hearth` (the XDG Base Directory default). Empty variables count
 * as unset, and a relative `XDG_DATA_HOME` is ignored, as the XDG spec asks.
 *
 * @param env Reads one environment variable, e.g. `(name) => Deno.env.get(name)`.
 * @param home The user's home directory.
 * @returns The directory; it may not exist yet (`openDatabase` creates it).
 *
 * @example
 * ```ts
 * import { join } from "node:path";
 * import { DATABASE_FILE, dataDir } from "./data_dir.ts";
 *
 * const env = new Map([["XDG_DATA_HOME", "/home/ada/.data"]]);
 * const path = join(dataDir((name) => env.get(name), "/home/ada"), DATABASE_FILE);
 * console.assert(path === "/home/ada/.data/hearth/hearth.db");
 * ```
 */
export function dataDir(env: (name: string) => string | undefined, home: string): string {
  const hearthHome = env("HEARTH_HOME");
  if (hearthHome) return hearthHome;
  const xdgDataHome = env("XDG_DATA_HOME");
  if (xdgDataHome && isAbsolute(xdgDataHome)) return join(xdgDataHome, "hearth");
  return join(home, ".local", "share", "hearth");
}
