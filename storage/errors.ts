/**
 * Errors that callers of storage catch. Wrong shapes are `TypeError` and values out of
 * range `RangeError`, as in Deno std; the classes here exist for conditions a caller
 * (the server) handles on purpose: a missing row (404), a message in the wrong state
 * (409), a database from a newer Hearth, an invalid import file (400).
 *
 * @module
 */
import type { MessageState } from "./types.ts";

/** Thrown when a chat or message id names no row (or a soft-deleted chat). */
export class NotFoundError extends Error {
  /** What was looked up. */
  readonly kind: "chat" | "message";
  /** The id that was not found. */
  readonly id: string;

  /**
   * Creates the error.
   *
   * @param kind What was looked up.
   * @param id The id that names no row.
   */
  constructor(kind: "chat" | "message", id: string, options?: ErrorOptions) {
    super(`Cannot find ${kind} "${id}"`, options);
    this.name = "NotFoundError";
    this.kind = kind;
    this.id = id;
  }
}

/**
 * Thrown when a streaming write targets a message that is not streaming (it finished,
 * was stopped, or was recovered as "incomplete" after a crash), or an edit targets one
 * that still streams.
 */
export class MessageStateError extends Error {
  /** The message id. */
  readonly id: string;
  /** Its current state. */
  readonly state: MessageState;

  /**
   * Creates the error.
   *
   * @param action What was attempted, e.g. "append to".
   * @param id The message id.
   * @param state Its current state.
   * @param expected The state the action needs, as the message words it.
   */
  constructor(
    action: string,
    id: string,
    state: MessageState,
    expected = '"streaming"',
    options?: ErrorOptions,
  ) {
    super(`Cannot ${action} message "${id}": it is "${state}", not ${expected}`, options);
    this.name = "MessageStateError";
    this.id = id;
    this.state = state;
  }
}

/**
 * Thrown by `openDatabase` when the file was written by a newer Hearth (its
 * `PRAGMA user_version` is above the latest migration). The file is left unchanged.
 */
export class DatabaseVersionError extends Error {
  /** The database file. */
  readonly path: string;
  /** The file's schema version. */
  readonly version: number;
  /** The newest schema version this build knows. */
  readonly supportedVersion: number;

  /**
   * Creates the error.
   *
   * @param path The database file.
   * @param version The file's schema version.
   * @param supportedVersion The newest schema version this build knows.
   */
  constructor(path: string, version: number, supportedVersion: number, options?: ErrorOptions) {
    super(
      `Cannot open database "${path}": its schema version is ${version} but this Hearth ` +
        `knows versions up to ${supportedVersion}; update Hearth or use another data directory`,
      options,
    );
    this.name = "DatabaseVersionError";
    this.path = path;
    this.version = version;
    this.supportedVersion = supportedVersion;
  }
}

/**
 * Thrown when an import file is invalid. Nothing is written. `location` names the
 * place ("line 3", "messages[2]") and `field` the offending field, when there is one.
 */
export class ChatImportError extends SyntaxError {
  /** "line N" (JSONL, 1-based) or "messages[N]" (OpenAI, 0-based); "" for the whole file. */
  readonly location: string;
  /** The offending field, if the problem is one field. */
  readonly field: string | undefined;

  /**
   * Creates the error.
   *
   * @param format The file format, e.g. "JSONL".
   * @param location Where the problem is; "" for the whole file.
   * @param reason What is wrong.
   * @param field The offending field.
   */
  constructor(
    format: string,
    location: string,
    reason: string,
    field?: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot import ${format}: ${location ? `${location}: ` : ""}${reason}`, options);
    this.name = "ChatImportError";
    this.location = location;
    this.field = field;
  }
}
