/**
 * One scan, without side effects on storage: which rows to write and which to delete,
 * given the rows stored and the files on disk now.
 *
 * @module
 */
import type { ModelRecord } from "../storage/models.ts";
import { groupFiles } from "./_group.ts";
import { inspectModel } from "./_inspect.ts";
import { relocated, toLibraryModel, toRecord, unchanged } from "./_record.ts";
import { findFiles } from "./_walk.ts";
import type { Root } from "./roots.ts";
import type { GgufChecker, LibraryChanges, ScanResult } from "./types.ts";

/** What a scan found: the changes, and the writes that make the index match them. */
export interface ScanPlan extends Omit<ScanResult, "durationMs"> {
  /** Rows to insert or replace. */
  writes: ModelRecord[];
  /** Ids of rows to delete. */
  deleteIds: string[];
}

/**
 * Walks the roots that exist and compares every model found with its stored row: a
 * model whose size and mtime match is not read (only its root and HF fields may move);
 * the rest are read with `check`; rows whose files are gone are deleted.
 */
export async function planScan(
  roots: readonly Root[],
  stored: readonly ModelRecord[],
  check: GgufChecker,
  now: () => number,
): Promise<ScanPlan> {
  const present = await Promise.all(roots.map(async (root) => ({
    root,
    present: (await Deno.stat(root.path).catch(() => null))?.isDirectory ?? false,
  })));
  const files = await findFiles(
    present.filter((r) => r.present).map((r) => r.root),
    new Set(roots.map((root) => root.path)),
  );
  const previous = new Map(stored.map((row) => [row.path, row]));
  const changes: LibraryChanges = { added: [], updated: [], removed: [] };
  const writes: ModelRecord[] = [];
  const seen = new Set<string>();
  let filesRead = 0;
  const counted: GgufChecker = (path) => (filesRead++, check(path));
  for (const source of groupFiles(files)) {
    const old = previous.get(source.path);
    let record: ModelRecord;
    if (old && unchanged(old, source)) {
      seen.add(source.path);
      record = relocated(old, source);
      if (record === old) continue;
    } else {
      const found = await inspectModel(source, counted);
      if (!found) continue; // vanished while being read
      seen.add(source.path);
      record = toRecord(source, found, old, now());
    }
    writes.push(record);
    (old ? changes.updated : changes.added).push(toLibraryModel(record));
  }
  const gone = stored.filter((row) => !seen.has(row.path));
  changes.removed = gone.map(toLibraryModel);
  return {
    ...changes,
    unchanged: seen.size - writes.length,
    filesRead,
    roots: present,
    writes,
    deleteIds: gone.map((row) => row.id),
  };
}
