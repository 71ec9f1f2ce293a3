/**
 * The workspace file layer: the only way the UI reaches files. The user chooses
 * workspace folders (stored in SQLite); every path is relative to one of them and is
 * refused when it leads outside (app/workspace/paths.ts). Files are opened into opaque
 * u64 handles (decimal strings) and read and written in chunks at any offset, with
 * write-behind buffering (app/workspace/open_file.ts). At most `maxOpenFiles` stay open:
 * opening one more closes the least recently used, after writing out its buffer; its
 * handle then answers {@link FileHandleError} `evicted`.
 *
 * No HTTP here: server/routes/workspaces.ts maps this onto the UI API.
 *
 * @module
 */
import { open as openFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { WorkspaceFolderStore } from "../../storage/workspace_folders.ts";
import type { WorkspaceFolder } from "../../storage/types.ts";
import {
  fileError,
  FileHandleError,
  WorkspaceFileError,
  WorkspaceNotFoundError,
} from "./errors.ts";
import { DEFAULT_FLUSH_THRESHOLD_BYTES, OpenFile } from "./open_file.ts";
import { pathParts, resolveInside } from "./paths.ts";

/**
 * How a file is opened: "r" reads an existing file; "r+" reads and writes an existing
 * file; "w" reads and writes, creating the file or emptying it; "wx" reads and writes a
 * new file, failing when it exists. node:fs's flags "r", "r+", "w+", "wx+".
 */
export type OpenMode = "r" | "r+" | "w" | "wx";

/** Every {@link OpenMode}. */
export const OPEN_MODES: readonly OpenMode[] = ["r", "r+", "w", "wx"];

const FLAGS: Record<OpenMode, string> = { r: "r", "r+": "r+", w: "w+", wx: "wx+" };

/** Largest read or write of one call, in bytes (64 MiB). */
export const MAX_CHUNK_BYTES = 64 << 20;

/** Default number of files open at once before the least recently used is closed. */
export const DEFAULT_MAX_OPEN_FILES = 64;

/** How many evicted handles are remembered, to answer `evicted` instead of `unknown`. */
const REMEMBERED_EVICTIONS = 4096;

/** Most entries one `list` returns. */
export const MAX_LIST_ENTRIES = 10_000;

/** What a directory entry or a file is. */
export type EntryKind = "file" | "directory" | "symlink" | "other";

/** One file or folder, as `stat` and `list` describe it. */
export interface FileInfo {
  /** Its name (the workspace folder's own name for the root). */
  name: string;
  /** Workspace-relative path, "/"-separated ("" for the root). */
  path: string;
  /** What it is; a symlink is listed as "symlink" (not followed). */
  kind: EntryKind;
  /** Size in bytes (0 for folders). */
  size: number;
  /** Last modification, ms since the epoch. */
  mtime_ms: number;
}

/** What `open` returns. */
export interface OpenedFile {
  /** The opaque handle, a decimal u64 string. */
  handle: string;
  /** Size in bytes at open. */
  size: number;
}

/** Options of {@link WorkspaceFiles}. */
export interface WorkspaceFilesOptions {
  /** Files open at once before the least recently used is closed. Default 64. */
  maxOpenFiles?: number;
  /** Buffered write bytes per file that start a flush. Default 16 MiB. */
  flushThresholdBytes?: number;
  /** Where failures with no caller go (an evicted file's failed flush). Default stderr. */
  log?: (line: string) => void;
}

/** The workspace folders and the files open in them. Built once by `createApp`. */
export class WorkspaceFiles {
  readonly #folders: WorkspaceFolderStore;
  readonly #maxOpen: number;
  readonly #threshold: number;
  readonly #log: (line: string) => void;
  /** Open files, least recently used first (a Map keeps insertion order). */
  readonly #open = new Map<string, OpenFile>();
  /** Evicted handles, oldest first, with their failed flush if any. */
  readonly #evicted = new Map<string, string>();
  /** Closes of evicted files still writing out their buffers. */
  readonly #closing = new Set<Promise<void>>();
  #closed = false;

  /** Creates the service over the stored folders. */
  constructor(folders: WorkspaceFolderStore, options: WorkspaceFilesOptions = {}) {
    this.#folders = folders;
    this.#maxOpen = Math.max(1, options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES);
    this.#threshold = options.flushThresholdBytes ?? DEFAULT_FLUSH_THRESHOLD_BYTES;
    this.#log = options.log ?? ((line) => console.error(line));
  }

  /** The workspace folders, oldest first. */
  folders(): WorkspaceFolder[] {
    return this.#folders.list();
  }

  /**
   * Adds a folder the user chose; its real path is stored (symlinks resolved).
   *
   * @param path An absolute path to an existing folder.
   * @throws {TypeError} If `path` is not absolute.
   * @throws {WorkspaceFileError} `not_found` or `not_directory`.
   */
  async addFolder(path: string): Promise<WorkspaceFolder> {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(`Cannot add workspace folder "${path}": give an absolute path`);
    }
    let real: string;
    let info: Deno.FileInfo;
    try {
      real = await Deno.realPath(path);
      info = await Deno.stat(real);
    } catch (error) {
      throw fileError(error, path);
    }
    if (!info.isDirectory) throw new WorkspaceFileError(path, "not_directory");
    return this.#folders.add(real);
  }

  /**
   * Removes a workspace folder (its files stay on disk) and closes the files open in it.
   *
   * @returns True if it was there.
   */
  async removeFolder(id: string): Promise<boolean> {
    const removed = this.#folders.remove(id);
    const closing = [...this.#open.values()].filter((file) => file.workspace === id);
    await Promise.allSettled(closing.map((file) => this.close(file.handle)));
    return removed;
  }

  /**
   * Opens a file of workspace `workspace`.
   *
   * @param workspace The workspace folder's id.
   * @param path Workspace-relative path.
   * @param mode How to open it (see {@link OpenMode}).
   * @throws {WorkspaceNotFoundError} For an unknown workspace id.
   * @throws {PathOutsideWorkspaceError} For a path that leads outside the workspace.
   * @throws {WorkspaceFileError} What the file system refused (not found, exists, permission).
   * @throws {TypeError} For an unknown mode.
   */
  async open(workspace: string, path: string, mode: OpenMode): Promise<OpenedFile> {
    this.#checkOpen();
    if (!OPEN_MODES.includes(mode)) {
      throw new TypeError(`Unknown mode "${mode}": use one of ${OPEN_MODES.join(", ")}`);
    }
    const root = this.#folder(workspace);
    if (pathParts(path).length === 0) throw new WorkspaceFileError(path, "is_directory");
    // An evicted file may still be writing out: a new handle must see those bytes.
    await this.#evictionsDone();
    const realPath = await resolveInside(root.path, path, mode === "w" || mode === "wx");
    let handle: Awaited<ReturnType<typeof openFile>>;
    try {
      handle = await openFile(realPath, FLAGS[mode]);
    } catch (error) {
      throw fileError(error, path);
    }
    let size: number;
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw new WorkspaceFileError(path, "is_directory");
      size = info.size;
    } catch (error) {
      await handle.close().catch(() => {});
      throw fileError(error, path);
    }
    const id = newHandle();
    const file = new OpenFile(
      { handle: id, workspace, path, realPath, writable: mode !== "r" },
      handle,
      this.#threshold,
    );
    this.#open.set(id, file);
    while (this.#open.size > this.#maxOpen) this.#evictOldest();
    return { handle: id, size };
  }

  /**
   * Reads up to `length` bytes at `offset` (fewer only at the end of the file). Reads in
   * flight together on one handle are fine: each is positional.
   *
   * @throws {FileHandleError} For an unknown, closed or evicted handle.
   * @throws {RangeError} For a negative or non-integer offset or length, or a length over
   *   {@link MAX_CHUNK_BYTES}.
   */
  read(handle: string, offset: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    checkRange(offset, length);
    return this.#file(handle).read(offset, length);
  }

  /**
   * Reads into `target` at `offset`, as many bytes as fit (fewer only at the end of the
   * file): for callers in this process that reuse one buffer.
   *
   * @returns the bytes read.
   * @throws {FileHandleError} For an unknown, closed or evicted handle.
   * @throws {RangeError} For a bad offset or a target over {@link MAX_CHUNK_BYTES}.
   */
  readInto(handle: string, offset: number, target: Uint8Array): Promise<number> {
    checkRange(offset, target.length);
    return this.#file(handle).readInto(offset, target);
  }

  /**
   * Writes `data` at `offset`, buffered (write-behind). `data` is copied before this
   * returns (synchronously): the caller may reuse it at once. A failed write-out (disk
   * full) is thrown by
   * a later call on the handle, at the latest by `close`.
   *
   * @throws {FileHandleError} For an unknown, closed or evicted handle, or one opened "r".
   * @throws {WorkspaceFileError} A failed write-out of earlier writes.
   * @throws {RangeError} For a bad offset or more than {@link MAX_CHUNK_BYTES}.
   */
  write(handle: string, offset: number, data: Uint8Array): Promise<void> {
    checkRange(offset, data.length);
    return this.#file(handle).write(offset, data);
  }

  /** Size and modification time of an open file, its buffered writes included. */
  async statHandle(handle: string): Promise<FileInfo> {
    const file = this.#file(handle);
    const { size, mtime_ms } = await file.stat();
    return { name: basename(file.realPath), path: file.path, kind: "file", size, mtime_ms };
  }

  /**
   * Writes out the buffer and closes the file; the handle is gone after.
   *
   * @throws {FileHandleError} For an unknown, closed or evicted handle.
   * @throws {WorkspaceFileError} When writing out the buffer failed (the file is closed anyway).
   */
  async close(handle: string): Promise<void> {
    const file = this.#file(handle);
    this.#open.delete(handle);
    await file.close();
  }

  /**
   * Describes a file or folder (symlinks followed, inside the workspace). Buffered writes
   * of open handles on the same file are written out first, so the size is current.
   */
  async stat(workspace: string, path: string): Promise<FileInfo> {
    const root = this.#folder(workspace);
    const real = await resolveInside(root.path, path);
    await this.#evictionsDone();
    await Promise.all(
      [...this.#open.values()].filter((f) => f.realPath === real).map((f) => f.flush()),
    );
    try {
      const info = await Deno.stat(real);
      const parts = pathParts(path);
      return describe(parts.at(-1) ?? basename(root.path), parts.join("/"), info);
    } catch (error) {
      throw fileError(error, path);
    }
  }

  /**
   * Lists a folder of the workspace ("" for its root), sorted by name; at most
   * {@link MAX_LIST_ENTRIES} entries, `truncated` when there were more.
   */
  async list(
    workspace: string,
    path = "",
  ): Promise<{ entries: FileInfo[]; truncated: boolean }> {
    const root = this.#folder(workspace);
    const real = await resolveInside(root.path, path);
    const prefix = pathParts(path).join("/");
    const names: string[] = [];
    let truncated = false;
    try {
      for await (const entry of Deno.readDir(real)) {
        if (names.length === MAX_LIST_ENTRIES) {
          truncated = true;
          break;
        }
        names.push(entry.name);
      }
    } catch (error) {
      throw fileError(error, path);
    }
    names.sort();
    const entries = await Promise.all(names.map(async (name) => {
      const info = await Deno.lstat(join(real, name)).catch(() => null);
      const entryPath = prefix ? `${prefix}/${name}` : name;
      return info ? describe(name, entryPath, info) : null;
    }));
    return { entries: entries.filter((e): e is FileInfo => e !== null), truncated };
  }

  /**
   * The real path of a workspace file, for app services that stream a whole file
   * themselves (sheet import and export): the same checks as {@link WorkspaceFiles.open}.
   *
   * @param create True for a file to be created: its folder must exist inside.
   * @throws {WorkspaceNotFoundError} For an unknown workspace id.
   * @throws {PathOutsideWorkspaceError} For a path that leads outside the workspace.
   * @throws {WorkspaceFileError} `not_found`, or `is_directory` for the root.
   */
  async resolve(workspace: string, path: string, create = false): Promise<string> {
    const root = this.#folder(workspace);
    if (pathParts(path).length === 0) throw new WorkspaceFileError(path, "is_directory");
    await this.#evictionsDone();
    const real = await resolveInside(root.path, path, create);
    // Buffered writes of open handles on that file go out first, so a reader sees them.
    await Promise.all(
      [...this.#open.values()].filter((f) => f.realPath === real).map((f) => f.flush()),
    );
    return real;
  }

  /** How many files are open. */
  get openFiles(): number {
    return this.#open.size;
  }

  /** Closes every open file (their buffers written out). Idempotent. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    await this.#evictionsDone();
    const files = [...this.#open.values()];
    this.#open.clear();
    for (const result of await Promise.allSettled(files.map((file) => file.close()))) {
      if (result.status === "rejected") this.#log(`hearth: ${result.reason.message}`);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new FileHandleError("-", "closed", "the app is closing");
  }

  #folder(id: string): WorkspaceFolder {
    if (typeof id !== "string") throw new TypeError("workspace must be a string id");
    const folder = this.#folders.get(id);
    if (!folder) throw new WorkspaceNotFoundError(id);
    return folder;
  }

  /** The open file of `handle`, now the most recently used. */
  #file(handle: string): OpenFile {
    const file = this.#open.get(handle);
    if (!file) {
      const evicted = this.#evicted.get(handle);
      if (evicted !== undefined) throw new FileHandleError(handle, "evicted", evicted);
      throw new FileHandleError(String(handle), "unknown");
    }
    this.#open.delete(handle);
    this.#open.set(handle, file);
    return file;
  }

  #evictOldest(): void {
    const [handle, file] = this.#open.entries().next().value!;
    this.#open.delete(handle);
    this.#evicted.set(handle, "");
    if (this.#evicted.size > REMEMBERED_EVICTIONS) {
      this.#evicted.delete(this.#evicted.keys().next().value!);
    }
    const closing = file.close().catch((error) => {
      const message = `writing out its last writes failed: ${error.message}`;
      if (this.#evicted.has(handle)) this.#evicted.set(handle, message);
      this.#log(`hearth: evicted ${file.path}: ${message}`);
    });
    this.#closing.add(closing);
    closing.finally(() => this.#closing.delete(closing));
  }

  async #evictionsDone(): Promise<void> {
    if (this.#closing.size > 0) await Promise.all([...this.#closing]);
  }
}

/** A fresh random handle: a nonzero u64 as a decimal string. */
function newHandle(): string {
  for (;;) {
    const value = crypto.getRandomValues(new BigUint64Array(1))[0];
    if (value !== 0n) return value.toString();
  }
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a whole number of bytes >= 0, not ${offset}`);
  }
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_CHUNK_BYTES) {
    throw new RangeError(`length must be 0 to ${MAX_CHUNK_BYTES} bytes, not ${length}`);
  }
}

function describe(name: string, path: string, info: Deno.FileInfo): FileInfo {
  const kind: EntryKind = info.isSymlink
    ? "symlink"
    : info.isDirectory
    ? "directory"
    : info.isFile
    ? "file"
    : "other";
  return {
    name,
    path,
    kind,
    size: kind === "file" ? info.size : 0,
    mtime_ms: info.mtime?.getTime() ?? 0,
  };
}
