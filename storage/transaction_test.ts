import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { transaction } from "./transaction.ts";

function table(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (x INTEGER UNIQUE)");
  return db;
}

const count = (db: DatabaseSync) => Number(db.prepare("SELECT count(*) AS n FROM t").get()?.n);

Deno.test("transaction() commits what fn wrote and returns its value", () => {
  using db = table();
  const value = transaction(db, () => {
    db.exec("INSERT INTO t VALUES (1), (2)");
    return "done";
  });
  assertEquals(value, "done");
  assertEquals(count(db), 2);
  assert(!db.isTransaction);
});

Deno.test("transaction() rolls back every write when fn throws", () => {
  using db = table();
  assertThrows(
    () =>
      transaction(db, () => {
        db.exec("INSERT INTO t VALUES (1)");
        db.exec("INSERT INTO t VALUES (1)");
      }),
    Error,
    "UNIQUE",
  );
  assertEquals(count(db), 0);
  assert(!db.isTransaction);
});

Deno.test("transaction() nests with a savepoint: an inner failure caught outside keeps the rest", () => {
  using db = table();
  transaction(db, () => {
    db.exec("INSERT INTO t VALUES (1)");
    try {
      transaction(db, () => {
        db.exec("INSERT INTO t VALUES (2)");
        throw new Error("inner");
      });
    } catch {
      // the inner part is rolled back
    }
    db.exec("INSERT INTO t VALUES (3)");
  });
  assertEquals(db.prepare("SELECT x FROM t ORDER BY x").all().map((r) => r.x), [1, 3]);
});

Deno.test("transaction() refuses an async function and rolls back", () => {
  using db = table();
  assertThrows(
    () =>
      transaction(db, async () => {
        db.exec("INSERT INTO t VALUES (1)");
        await Promise.resolve();
      }),
    TypeError,
    "async",
  );
  assertEquals(count(db), 0);
});
