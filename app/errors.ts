/**
 * Errors of the application core that callers handle on purpose. Like every layer's
 * errors they carry no HTTP: server/error_table.ts maps each class to a status and an
 * error type, once, for the UI API and the OpenAI API alike. Wrong shapes stay
 * `TypeError` and out-of-range values `RangeError`, as in Deno std.
 *
 * @module
 */

/** Thrown when an operation needs a loaded model and none is loaded. */
export class NoModelLoadedError extends Error {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super("No model is loaded: pick one in the model list", options);
    this.name = "NoModelLoadedError";
  }
}

/** Thrown when a chat already generates a reply and another would start. */
export class ReplyBusyError extends Error {
  /** The chat (or, for a reply started twice, the message) that is busy. */
  readonly id: string;

  /**
   * Creates the error.
   *
   * @param id The busy chat or message.
   * @param message What was refused; the default names a chat.
   */
  constructor(
    id: string,
    message = "A reply is still being generated in this chat",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ReplyBusyError";
    this.id = id;
  }
}

/** Thrown when a Hugging Face repository or file that an operation names does not exist. */
export class HubFileNotFoundError extends Error {
  /** Repository id, `org/name`. */
  readonly repo: string;
  /** The file, or undefined when the repository itself is missing. */
  readonly file: string | undefined;

  /**
   * Creates the error.
   *
   * @param repo Repository id.
   * @param file The missing file; omit when the repository is missing.
   */
  constructor(repo: string, file?: string, options?: ErrorOptions) {
    super(file === undefined ? `No model "${repo}" on the hub` : `No file "${file}" in ${repo}`, {
      ...options,
    });
    this.name = "HubFileNotFoundError";
    this.repo = repo;
    this.file = file;
  }
}

/**
 * Thrown when a model file known to be broken (the library lists it so, its header fails
 * the checks, or it crashed a load probe) is asked to load: it never reaches llama.cpp,
 * which can abort the process on bad input.
 */
export class ModelBrokenError extends Error {
  /** The file. */
  readonly path: string;
  /** Why it is broken. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param reason Why it is broken (a header check, a crash verdict).
   * @param why The message's reason; default `reason`.
   */
  constructor(path: string, reason: string, why: string = reason, options?: ErrorOptions) {
    super(`Cannot load "${path}": ${why}`, options);
    this.name = "ModelBrokenError";
    this.path = path;
    this.reason = reason;
  }
}

/** Thrown when an Undo names a deletion that is not kept (any more): undone, expired, or unknown. */
export class UndoExpiredError extends Error {
  /** The undo id. */
  readonly id: string;

  /**
   * Creates the error.
   *
   * @param id The undo id.
   */
  constructor(id: string, options?: ErrorOptions) {
    super("This deletion can no longer be undone", options);
    this.name = "UndoExpiredError";
    this.id = id;
  }
}

/** Thrown when a reply cannot be continued where it ended (a remote provider's reply). */
export class CannotContinueError extends Error {
  /** The reply. */
  readonly id: string;

  /**
   * Creates the error.
   *
   * @param id The reply's message id.
   * @param reason Why, as the user reads it.
   */
  constructor(id: string, reason: string, options?: ErrorOptions) {
    super(`Cannot continue this reply: ${reason}`, options);
    this.name = "CannotContinueError";
    this.id = id;
  }
}
