/**
 * The one place that turns an error into what a command-line user sees: a single
 * `hearth: <message>` line on stderr and exit status 1. Expected errors (bad flags,
 * missing or invalid model files, context overflow, library problems) never show a
 * stack trace; they already say what went wrong and what to do.
 *
 * @module
 */

/** The exit status of any failed command. */
export const EXIT_FAILURE = 1;

// Errors whose message is meant for the user as is. Engine errors are matched by name
// because they are revived from the Worker as these classes (engine/revive_error.ts)
// and cli/ should not need to import each class to recognise it.
const EXPECTED = new Set([
  "ModelNotFoundError",
  "GgufError",
  "ModelLoadError",
  "ModelCrashError",
  "ContextOverflowError",
  "DraftModelError",
  "LibraryLoadError",
  "MtmdMissingError",
  "MmprojError",
  "ImageInputError",
  "LoraAdapterError",
  "EngineError",
  "ChatTemplateError",
  "DisposedError",
  "RangeError",
  "TypeError",
  "SyntaxError",
  "AbortError", // Ctrl+C during a load or a generation
  "HubError",
  "DiskSpaceError",
  "ModelNotInLibraryError",
  "DeleteRefusedError",
  "RpcWorkerError", // an RPC worker unreachable, incompatible or gone, or no libggml-rpc
  // Remote providers: a key, a model id, a rate limit or the provider itself.
  "ProviderError",
  "ProviderNotFoundError",
  "ProviderAuthError",
  "ProviderModelNotFoundError",
  "ProviderRateLimitError",
  "ProviderUpstreamError",
  // Sheets: a malformed table file, a bad column, a job in the way.
  "TableFormatError",
  "SheetColumnError",
  "SheetNotFoundError",
  "SheetJobConflictError",
]);

/** Whether `error` is one the user caused or can fix, so its message is enough. */
export function isExpected(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.AlreadyExists ||
    error instanceof Deno.errors.IsADirectory ||
    (error instanceof Error && EXPECTED.has(error.name));
}

/**
 * One line describing `error`: its message with line breaks folded (llama.cpp's logged
 * reasons can span lines); unexpected errors are prefixed with their class name.
 */
export function errorLine(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "ContextOverflowError") {
    // The engine's advice names API options; a CLI user needs the flag.
    const { nPromptTokens, nCtx } = error as Error & { nPromptTokens: number; nCtx: number };
    message = `Cannot fit prompt: ${nPromptTokens} tokens exceed n_ctx ${nCtx}; ` +
      `raise -c (--ctx-size) or shorten the prompt`;
  }
  const folded = message.split(/\s*\r?\n\s*/).filter((part) => part !== "").join("; ");
  const text = folded === "" ? "unknown error" : folded;
  if (isExpected(error)) return text;
  const name = error instanceof Error ? error.name : typeof error;
  return `${name}: ${text}`;
}

/**
 * Writes `hearth: <one line>` to stderr and returns {@link EXIT_FAILURE}. With
 * `stack`, an unexpected error's stack follows (for `--log-level debug`).
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = reportError(new RangeError("Cannot use --temp \"-1\": ..."));
 * ```
 */
export function reportError(error: unknown, options: { stack?: boolean } = {}): number {
  let text = `hearth: ${errorLine(error)}\n`;
  if (options.stack && !isExpected(error) && error instanceof Error && error.stack) {
    text += `${error.stack}\n`;
  }
  writeAllSync(Deno.stderr, text);
  return EXIT_FAILURE;
}

/** Writes all of `text` to a synchronous writer (a short write would cut a line). */
export function writeAllSync(writer: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(writer.writeSync(bytes));
}
