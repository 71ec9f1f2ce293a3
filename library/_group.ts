/**
 * Grouping found files into models: a split model (`name-00001-of-00003.gguf`, as
 * llama.cpp's gguf-split writes it) is one model whose path is its first part.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { FoundFile, HfFile } from "./_walk.ts";
import type { Root } from "./roots.ts";

/** gguf-split's names: `<prefix>-<part>-of-<count>.gguf`, five digits each. */
const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})(\.gguf)$/i;

/** The files of one model, before any is read. */
export interface ModelSource {
  /** The model's path: the file, or a split model's first part (which may be missing). */
  path: string;
  /** The root the files were found under. */
  root: Root;
  /** Where the model sits in the HF cache, from its first found file. */
  hf: HfFile | null;
  /** Parts of a split model, null for a single file. */
  splitCount: number | null;
  /** The files found, in part order. */
  files: FoundFile[];
  /** Expected part paths that were not found, in order. */
  missing: string[];
  /** Sum of the found files' sizes in bytes. */
  sizeBytes: number;
  /** The newest found file's mtime, ms since the epoch. */
  mtimeMs: number;
}

/** Parses a split file name; null when the name is not a split part (or a 1-part split). */
export function parseSplitName(
  path: string,
): { prefix: string; part: number; count: number; ext: string } | null {
  const match = SPLIT_NAME.exec(basename(path));
  if (!match) return null;
  const part = Number(match[2]);
  const count = Number(match[3]);
  if (count < 2 || part < 1 || part > count) return null;
  return { prefix: join(dirname(path), match[1]), part, count, ext: match[4] };
}

/** The path of part `part` of a split model, as gguf-split names it. */
export function splitPartPath(prefix: string, part: number, count: number, ext = ".gguf"): string {
  const pad = (n: number) => String(n).padStart(5, "0");
  return `${prefix}-${pad(part)}-of-${pad(count)}${ext}`;
}

/** Groups files into models, sorted by path. */
export function groupFiles(files: readonly FoundFile[]): ModelSource[] {
  const singles: ModelSource[] = [];
  const splits = new Map<string, { count: number; ext: string; parts: Map<number, FoundFile> }>();
  for (const file of files) {
    const split = parseSplitName(file.path);
    if (!split) {
      singles.push(source(file.path, [file], [], null));
      continue;
    }
    const key = `${split.prefix}\0${split.count}`;
    let group = splits.get(key);
    if (!group) splits.set(key, group = { count: split.count, ext: split.ext, parts: new Map() });
    group.parts.set(split.part, file);
  }
  const sources = [...singles];
  for (const [key, { count, ext, parts }] of splits) {
    const prefix = key.slice(0, key.indexOf("\0"));
    const found: FoundFile[] = [];
    const missing: string[] = [];
    for (let part = 1; part <= count; part++) {
      const file = parts.get(part);
      if (file) found.push(file);
      else missing.push(splitPartPath(prefix, part, count, ext));
    }
    sources.push(source(splitPartPath(prefix, 1, count, ext), found, missing, count));
  }
  return sources.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

function source(
  path: string,
  files: FoundFile[],
  missing: string[],
  splitCount: number | null,
): ModelSource {
  return {
    path,
    root: files[0].root,
    hf: files[0].hf ?? null,
    splitCount,
    files,
    missing,
    sizeBytes: files.reduce((sum, file) => sum + file.sizeBytes, 0),
    mtimeMs: Math.max(...files.map((file) => file.mtimeMs)),
  };
}
