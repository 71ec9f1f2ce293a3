/**
 * Errors that callers of the model library catch.
 *
 * @module
 */

/** Thrown when an id names no model in the library (the server answers 404). */
export class ModelNotInLibraryError extends Error {
  /** The id that names no model. */
  readonly id: string;

  /**
   * Creates the error.
   *
   * @param id The id that names no model.
   */
  constructor(id: string, options?: ErrorOptions) {
    super(`Cannot find model "${id}" in the library: scan again or list the models`, options);
    this.name = "ModelNotInLibraryError";
    this.id = id;
  }
}

/**
 * Thrown by `ModelLibrary.remove` when it refuses to delete a file: the file lies outside
 * every known root (its folder was removed from the settings since it was indexed). The
 * file is left untouched.
 */
export class DeleteRefusedError extends Error {
  /** The file that was not deleted. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The file that was not deleted.
   * @param reason Why, and what to do instead.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot delete "${path}": ${reason}`, options);
    this.name = "DeleteRefusedError";
    this.path = path;
  }
}
