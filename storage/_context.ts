/**
 * What every store shares: the connection, its statement cache, the clock and the id
 * generator (both injectable so tests are deterministic).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { Statements } from "./_sql.ts";

/** The shared state of one open database. */
export interface StoreContext {
  /** The connection. */
  readonly db: DatabaseSync;
  /** Its prepared statements. */
  readonly sql: Statements;
  /** Current time, ms since the epoch. */
  now(): number;
  /** A new random id (a UUID). */
  newId(): string;
}
