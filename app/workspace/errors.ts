/**
 * Errors of the workspace file layer. Like every layer's errors they carry no HTTP:
 * server/error_table.ts maps them (a path outside every workspace is a 403).
 *
 * @module
 */

/** Why a path was refused. */
export type OutsideReason = "absolute" | "parent" | "symlink" | "invalid";

/**
 * Thrown for a path that is, or resolves to, a place outside the workspace folder: an
 * absolute path, a `..` part, a symlink whose real target lies elsewhere, a NUL byte.
 */
export class PathOutsideWorkspaceError extends Error {
  /** The path as the caller gave it. */
  readonly path: string;
  /** Which rule refused it. */
  readonly reason: OutsideReason;

  /**
   * Creates the error.
   *
   * @param path The path as given.
   * @param reason Which rule refused it.
   */
  constructor(path: string, reason: OutsideReason, options?: ErrorOptions) {
    const why = {
      absolute: "absolute paths are not allowed, give a path relative to the workspace",
      parent: '".." is not allowed',
      symlink: "it is a symlink that leads outside the workspace",
      invalid: "it is not a valid path",
    }[reason];
    super(`Cannot use "${path}": ${why}`, options);
    this.name = "PathOutsideWorkspaceError";
    this.path = path;
    this.reason = reason;
  }
}

/** Thrown when a workspace id names no workspace folder. */
export class WorkspaceNotFoundError extends Error {
  /** The id asked for. */
  readonly id: string;

  /** Creates the error for workspace `id`. */
  constructor(id: string, options?: ErrorOptions) {
    super(`No workspace folder "${id}": add the folder first`, options);
    this.name = "WorkspaceNotFoundError";
    this.id = id;
  }
}

/**
 * What is wrong with a file handle: `unknown` (never opened here), `evicted` (closed to
 * make room: more files were open than the limit, and it was the least recently used),
 * `closed` (closed by its owner) or `read_only` (a write on a handle opened with "r").
 */
export type FileHandleProblem = "unknown" | "evicted" | "closed" | "read_only";

/** Thrown when a call names a handle that cannot serve it. */
export class FileHandleError extends Error {
  /** The handle, as its decimal string. */
  readonly handle: string;
  /** What is wrong with it. */
  readonly problem: FileHandleProblem;

  /**
   * Creates the error.
   *
   * @param handle The handle.
   * @param problem What is wrong.
   * @param detail Appended to the message (an evicted file's failed flush).
   */
  constructor(handle: string, problem: FileHandleProblem, detail = "", options?: ErrorOptions) {
    const why = {
      unknown: "no file is open with this handle",
      evicted:
        "it was closed to make room for other open files (least recently used); open the file again",
      closed: "it was closed",
      read_only: 'it was opened for reading ("r"): open it with "r+" or "w" to write',
    }[problem];
    super(`Cannot use file handle ${handle}: ${why}${detail ? `; ${detail}` : ""}`, options);
    this.name = "FileHandleError";
    this.handle = handle;
    this.problem = problem;
  }
}

/** What the file system refused, from its errno. */
export type FileProblem =
  | "not_found"
  | "exists"
  | "permission_denied"
  | "disk_full"
  | "is_directory"
  | "not_directory"
  | "io";

const ERRNO: Record<string, FileProblem> = {
  ENOENT: "not_found",
  EEXIST: "exists",
  EACCES: "permission_denied",
  EPERM: "permission_denied",
  EROFS: "permission_denied",
  ENOSPC: "disk_full",
  EDQUOT: "disk_full",
  EFBIG: "disk_full",
  EISDIR: "is_directory",
  ENOTDIR: "not_directory",
};

const SAYS: Record<FileProblem, string> = {
  not_found: "it does not exist",
  exists: "it exists already",
  permission_denied: "permission denied",
  disk_full: "the disk is full (or the quota is used up)",
  is_directory: "it is a folder",
  not_directory: "a part of the path is not a folder",
  io: "input/output error",
};

/** Thrown when the file system refuses an operation on a workspace file. */
export class WorkspaceFileError extends Error {
  /** The workspace-relative path. */
  readonly path: string;
  /** What went wrong. */
  readonly problem: FileProblem;

  /**
   * Creates the error.
   *
   * @param path The workspace-relative path.
   * @param problem What went wrong.
   * @param detail The system's own words, appended for `io`.
   */
  constructor(path: string, problem: FileProblem, detail = "", options?: ErrorOptions) {
    super(`Cannot use "${path}": ${SAYS[problem]}${detail ? ` (${detail})` : ""}`, options);
    this.name = "WorkspaceFileError";
    this.path = path;
    this.problem = problem;
  }
}

/**
 * Turns what Deno or node:fs threw into a {@link WorkspaceFileError} about `path`; an
 * error of this module passes through unchanged.
 */
export function fileError(error: unknown, path: string): Error {
  if (
    error instanceof WorkspaceFileError || error instanceof FileHandleError ||
    error instanceof PathOutsideWorkspaceError
  ) return error;
  const code = (error as { code?: unknown })?.code;
  const problem = typeof code === "string" ? ERRNO[code] : undefined;
  if (problem) return new WorkspaceFileError(path, problem, "", { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new WorkspaceFileError(path, "io", message, { cause: error });
}
