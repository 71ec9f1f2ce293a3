/**
 * Where a workspace-relative path leads, checked: the lexical rules first (no absolute
 * paths, no `..`, no NUL), then the real path (every symlink resolved) must still lie
 * inside the workspace folder's real path. A path to a file that does not exist yet (a
 * file to create) is checked through its folder's real path, and a dangling symlink in
 * its place is refused, since its target cannot be checked.
 *
 * What this cannot stop: a symlink swapped in between the check and the open (a race
 * with another local process that can write into the workspace).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { fileError, PathOutsideWorkspaceError } from "./errors.ts";

/**
 * The parts of a workspace-relative path: "a/./b/" is ["a", "b"], "" and "." are [].
 *
 * @throws {PathOutsideWorkspaceError} For an absolute path, a `..` part or a NUL byte.
 * @throws {TypeError} If `path` is not a string.
 */
export function pathParts(path: string): string[] {
  if (typeof path !== "string") throw new TypeError("path must be a string");
  if (path.includes("\0")) throw new PathOutsideWorkspaceError(path, "invalid");
  // "C:\x" and "\\server\x" too: absolute anywhere, never a name here.
  if (path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path)) {
    throw new PathOutsideWorkspaceError(path, "absolute");
  }
  const parts = path.split(/[\\/]/).filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw new PathOutsideWorkspaceError(path, "parent");
  return parts;
}

/** True when `path` is `root` or lies below it (both real, normalized paths). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/**
 * The real path of workspace-relative `path` under workspace folder `root`.
 *
 * @param root The workspace folder (absolute; resolved again here, so a moved symlink
 *   above it cannot widen it).
 * @param path The workspace-relative path.
 * @param create True when the file may not exist yet (it is to be created): its folder
 *   must exist and lie inside.
 * @throws {PathOutsideWorkspaceError} When the path or its real path leaves `root`.
 * @throws {WorkspaceFileError} `not_found` when it (or, with `create`, its folder) does not exist.
 */
export async function resolveInside(root: string, path: string, create = false): Promise<string> {
  const parts = pathParts(path);
  const realRoot = await realPath(root, root);
  const joined = join(realRoot, ...parts);
  try {
    const real = await Deno.realPath(joined);
    if (!isInside(realRoot, real)) throw new PathOutsideWorkspaceError(path, "symlink");
    return real;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound) || !create || parts.length === 0) {
      throw fileError(error, path);
    }
  }
  // Not there: its folder must be, inside, and the name must not be a dangling symlink.
  const folder = await realPath(dirname(joined), path);
  if (!isInside(realRoot, folder)) throw new PathOutsideWorkspaceError(path, "symlink");
  const target = join(folder, basename(joined));
  const link = await Deno.lstat(target).catch(() => null);
  if (link?.isSymlink) throw new PathOutsideWorkspaceError(path, "symlink");
  return target;
}

async function realPath(path: string, label: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    throw fileError(error, label);
  }
}
