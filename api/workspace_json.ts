/**
 * The workspace file layer's UI API shapes (docs/ui-api.md, "Workspace files") and the
 * mapper that makes a workspace's JSON. File bytes travel as raw
 * `application/octet-stream` bodies, never as JSON or base64.
 *
 * @module
 */
import type { WorkspaceFolder } from "../storage/types.ts";
export type { EntryKind, FileInfo, OpenMode } from "../app/workspace/files.ts";
import type { FileInfo, OpenMode } from "../app/workspace/files.ts";

/** A workspace folder the user chose. */
export type Workspace = {
  /** Its id, a decimal string: the `workspace` of every file call. */
  id: string;
  /** Its absolute real path. */
  path: string;
  /** The folder's own name, for display. */
  name: string;
  /** When it was added, ms since the epoch. */
  added_at: number;
};

/** `GET /api/workspaces`. */
export type WorkspaceList = {
  workspaces: Workspace[];
  /** Whether `POST /api/workspaces/choose` can show a folder dialog (the native window). */
  can_choose: boolean;
};

/** `GET /api/workspaces/:id/list`. */
export type WorkspaceListing = { entries: FileInfo[]; truncated: boolean };

/** `POST /api/files` body. */
export type OpenFileRequest = {
  /** The workspace's id. */
  workspace: string;
  /** Path relative to the workspace folder; no `..`, not absolute. */
  path: string;
  /** "r", "r+", "w" (create or empty) or "wx" (create new). */
  mode: OpenMode;
};

/** `POST /api/files` answer. */
export type OpenFileResponse = {
  /** The opaque u64 handle, as a decimal string. */
  handle: string;
  /** The file's size at open, in bytes. */
  size: number;
};

/** `PUT /api/files/:handle?offset=N` answer. */
export type WriteFileResponse = { bytes_written: number };

/** The wire shape of a stored workspace folder. */
export function workspaceJson(folder: WorkspaceFolder): Workspace {
  const name = folder.path.split("/").filter(Boolean).at(-1) ?? "/";
  return { id: folder.id, path: folder.path, name, added_at: folder.added_at };
}
