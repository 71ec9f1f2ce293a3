/**
 * The one way storage groups writes: {@link transaction} runs a synchronous function
 * inside `BEGIN IMMEDIATE` ... `COMMIT`, or a savepoint when already inside one.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/**
 * Runs `fn` in a transaction: commits if it returns, rolls back and rethrows if it
 * throws, so every multi-row change is all or nothing.
 *
 * `BEGIN IMMEDIATE` takes the write lock up front: a deferred transaction that reads
 * first and writes later can fail with SQLITE_BUSY halfway when another connection
 * wrote in between, whereas an immediate one waits (busy_timeout) before doing anything.
 * Called inside another transaction it uses a savepoint, so helpers compose: an inner
 * failure caught by the outer function rolls back only the inner part.
 *
 * @param db An open database.
 * @param fn Synchronous work; node:sqlite is synchronous, and an `async` function would
 * commit at its first `await`, so a returned promise is refused.
 * @returns What `fn` returns.
 * @throws {TypeError} If `fn` returns a promise (the transaction is rolled back).
 * @throws Whatever `fn` throws, after rolling back.
 *
 * @example Two inserts, all or nothing
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { transaction } from "./transaction.ts";
 *
 * const db = new DatabaseSync(":memory:");
 * db.exec("CREATE TABLE t (x INTEGER UNIQUE)");
 * try {
 *   transaction(db, () => {
 *     db.exec("INSERT INTO t VALUES (1)");
 *     db.exec("INSERT INTO t VALUES (1)"); // violates UNIQUE
 *   });
 * } catch {
 *   // rolled back: the table is still empty
 * }
 * console.assert(db.prepare("SELECT count(*) AS n FROM t").get()?.n === 0);
 * ```
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  const nested = db.isTransaction;
  // One savepoint name is enough: SQLite resolves a name to the innermost savepoint.
  db.exec(nested ? "SAVEPOINT hearth_nested" : "BEGIN IMMEDIATE");
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      result.catch(() => {}); // its rejection is reported by the TypeError below instead
      throw new TypeError("Cannot run an async function in a transaction: pass a sync one");
    }
  } catch (error) {
    if (nested) db.exec("ROLLBACK TO hearth_nested; RELEASE hearth_nested");
    else if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
  db.exec(nested ? "RELEASE hearth_nested" : "COMMIT");
  return result;
}
