/**
 * A model's files on disk: listing its parts and deleting them (with the Hugging Face
 * cache's links and blobs).
 *
 * @module
 */
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { ModelRecord } from "../storage/models.ts";
import { DeleteRefusedError } from "./errors.ts";
import { parseSplitName, splitPartPath } from "./_group.ts";
import type { Root } from "./roots.ts";

/** The files of a model that exist (a split model's parts in order; links count). */
export async function modelFiles(record: ModelRecord): Promise<string[]> {
  const split = record.split_count === null ? null : parseSplitName(record.path);
  const paths = split
    ? Array.from(
      { length: split.count },
      (_, i) => splitPartPath(split.prefix, i + 1, split.count, split.ext),
    )
    : [record.path];
  const exists = await Promise.all(
    paths.map((path) => Deno.lstat(path).then(() => true, () => false)),
  );
  return paths.filter((_, i) => exists[i]);
}

/** True when `path` lies strictly inside `dir`. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep);
}

/**
 * Deletes a model's files. In a Hugging Face cache repo the snapshot link goes, and its
 * blob too once no snapshot links to it any more (huggingface_hub's own rule). Files
 * outside every root are refused unless `allowOutsideRoots`.
 *
 * @throws {DeleteRefusedError} If a file lies outside every root; nothing is deleted.
 */
export async function deleteModelFiles(
  record: ModelRecord,
  roots: readonly Root[],
  allowOutsideRoots: boolean,
): Promise<void> {
  const files = await modelFiles(record);
  if (!allowOutsideRoots) {
    for (const path of files) {
      if (!roots.some((root) => isInside(root.path, path))) {
        throw new DeleteRefusedError(
          path,
          "it lies outside every model folder and cache Hearth knows; " +
            "add its folder back or pass allowOutsideRoots",
        );
      }
    }
  }
  for (const path of files) {
    if (record.hf_repo !== null) await deleteHfFile(path);
    else await removeIfPresent(path);
  }
}

async function deleteHfFile(link: string): Promise<void> {
  const target = await Deno.readLink(link).catch(() => null);
  await removeIfPresent(link);
  if (target === null) return; // a copy, not a link: nothing else to clean up
  const blob = resolve(dirname(link), target);
  const snapshots = snapshotsDir(link);
  if (snapshots === null) return;
  // Only blobs of this repo are ours to delete, never a file a link points elsewhere to.
  if (dirname(blob) !== join(dirname(snapshots), "blobs")) return;
  if (!await linksTo(snapshots, blob)) await removeIfPresent(blob);
}

/** The `snapshots` folder above a link in a HF cache repo. */
function snapshotsDir(path: string): string | null {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === "snapshots") return dir;
  }
  return null;
}

/** True when any link below `dir` points at `blob`. */
async function linksTo(dir: string, blob: string): Promise<boolean> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && await linksTo(path, blob)) return true;
    if (entry.isSymlink) {
      const target = await Deno.readLink(path).catch(() => null);
      if (target !== null && resolve(dir, target) === blob) return true;
    }
  }
  return false;
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
