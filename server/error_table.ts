/**
 * The one error table: every error class of the layers below (ffi, engine, hub, storage,
 * library, app) maps here, once, to an HTTP status and an error type. The UI API renders
 * it as `{"error": {"message", "type", ...extra}}` (server/http_error.ts), the OpenAI API
 * as OpenAI error JSON (server/openai/errors.ts). Errors made in this layer know their
 * own response, as hono's HTTPException does ({@link HttpError}, `OpenAiError`).
 *
 * A class without a row falls back to its nearest ancestor's row (a subclass of
 * RangeError is a 400); anything else is a 500 `server_error`, logged with its stack.
 *
 * @module
 */
import { LibraryLoadError, MtmdMissingError } from "../ffi/errors.ts";
import { UnsupportedSchemaError } from "../engine/json_schema_grammar.ts";
import { TableFormatError } from "../tables/errors.ts";
import {
  SheetColumnError,
  SheetImportCancelledError,
  SheetJobConflictError,
  SheetNotFoundError,
} from "../app/sheets/errors.ts";
import { BenchRunNotFoundError, HistoryQueryError } from "../app/history/errors.ts";
import {
  ContextOverflowError,
  DisposedError,
  DraftModelError,
  EngineError,
  GgufError,
  GrammarError,
  ImageInputError,
  LoraAdapterError,
  MmprojError,
  ModelCrashError,
  ModelLoadError,
  ModelNotFoundError,
  QueueFullError,
  RpcWorkerError,
} from "../engine/errors.ts";
import { ChatTemplateError } from "../engine/chat_template.ts";
import { DiskSpaceError, HubError, type HubErrorCode } from "../hub/errors.ts";
import {
  ChatImportError,
  DatabaseVersionError,
  MessageStateError,
  NotFoundError,
} from "../storage/errors.ts";
import { DeleteRefusedError, ModelNotInLibraryError } from "../library/errors.ts";
import {
  CannotContinueError,
  HubFileNotFoundError,
  ModelBrokenError,
  NoModelLoadedError,
  ReplyBusyError,
  UndoExpiredError,
} from "../app/errors.ts";
import {
  FileHandleError,
  type FileHandleProblem,
  type FileProblem,
  PathOutsideWorkspaceError,
  WorkspaceFileError,
  WorkspaceNotFoundError,
} from "../app/workspace/errors.ts";
import {
  ProviderAuthError,
  ProviderError,
  ProviderModelNotFoundError,
  ProviderNotFoundError,
  ProviderRateLimitError,
  ProviderUpstreamError,
} from "../app/providers/errors.ts";

/** How one error is answered over HTTP. */
export interface HttpFailure {
  /** HTTP status code. */
  status: number;
  /** The error `type` of the UI API, e.g. "not_found"; the OpenAI API's `code`. */
  type: string;
  /** The message shown to the user or client. */
  message: string;
  /** Extra fields of the error object, in wire spelling. */
  extra: Record<string, unknown>;
  /** Extra response headers (`retry-after`). */
  headers: Record<string, string>;
}

/** An error raised in the HTTP layer itself: it carries its own response. */
export class HttpError extends Error {
  /** HTTP status code. */
  readonly status: number;
  /** The error `type` on the wire, e.g. "invalid_request". */
  readonly type: string;
  /** Extra fields for the error object. */
  readonly extra: Record<string, unknown>;

  /** Creates the error; `message` is shown to the user. */
  constructor(status: number, type: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.type = type;
    this.extra = extra;
  }
}

type Row = (error: never) => Omit<HttpFailure, "message"> | Pick<HttpFailure, "status" | "type">;
// deno-lint-ignore no-explicit-any
type ErrorClass = abstract new (...args: any[]) => Error;

const row = (status: number, type: string) => () => ({ status, type });

/** What each HubError code means for the caller, as status and type. */
const HUB_CODES: Record<HubErrorCode, { status: number; type: string }> = {
  not_found: { status: 404, type: "not_found" },
  // Gated or private: the user must accept the terms or give a token.
  unauthorized: { status: 403, type: "gated" },
  rate_limited: { status: 429, type: "rate_limited" },
  server: { status: 502, type: "upstream_error" },
  network: { status: 504, type: "upstream_unreachable" },
  integrity: { status: 502, type: "integrity_error" },
  protocol: { status: 502, type: "upstream_error" },
  http: { status: 502, type: "upstream_error" },
};

/** What each file handle problem means for the caller. */
const HANDLE_PROBLEMS: Record<FileHandleProblem, { status: number; type: string }> = {
  unknown: { status: 404, type: "unknown_handle" },
  // Gone: it was open, and the LRU closed it; opening the file again is the cure.
  evicted: { status: 410, type: "handle_evicted" },
  closed: { status: 409, type: "handle_closed" },
  read_only: { status: 409, type: "read_only" },
};

/** What each file system problem of a workspace file means for the caller. */
const FILE_PROBLEMS: Record<FileProblem, { status: number; type: string }> = {
  not_found: { status: 404, type: "not_found" },
  exists: { status: 409, type: "exists" },
  permission_denied: { status: 403, type: "permission_denied" },
  disk_full: { status: 507, type: "insufficient_storage" },
  is_directory: { status: 400, type: "is_directory" },
  not_directory: { status: 400, type: "not_directory" },
  io: { status: 500, type: "io_error" },
};

/**
 * The table: error class to response. Exported for the test that checks every error
 * class the lower layers export has a row.
 */
export const ERROR_TABLE: ReadonlyMap<ErrorClass, Row> = new Map<ErrorClass, Row>([
  [HttpError, (e: HttpError) => ({ status: e.status, type: e.type, extra: e.extra, headers: {} })],
  // ffi/
  [LibraryLoadError, row(500, "library_load_failed")],
  // Image input needs a library this install lacks; the message says how to build it.
  [MtmdMissingError, row(501, "mtmd_not_built")],
  // engine/
  [DisposedError, row(409, "conflict")],
  [ModelNotFoundError, row(404, "not_found")],
  [GgufError, row(422, "invalid_model")],
  [ModelLoadError, row(422, "model_load_failed")],
  [LoraAdapterError, row(422, "invalid_lora_adapter")],
  [DraftModelError, row(422, "invalid_draft_model")],
  [MmprojError, row(422, "invalid_mmproj")],
  // An image the request sent: not an image, or a model without an mmproj.
  [ImageInputError, row(400, "invalid_image")],
  [ContextOverflowError, (e: ContextOverflowError) => ({
    status: 400,
    type: "exceed_context_size",
    extra: { n_prompt_tokens: e.nPromptTokens, n_ctx: e.nCtx },
    headers: {},
  })],
  // The file, not the request, is at fault: the same 422 a broken library entry gets.
  [ModelCrashError, (e: ModelCrashError) => ({
    status: 422,
    type: "model_broken",
    extra: { broken_reason: e.reason },
    headers: {},
  })],
  // A worker of a model split over llama.cpp RPC: an upstream machine, as a gateway says.
  [RpcWorkerError, (e: RpcWorkerError) => ({
    status: e.failure === "unsupported" ? 500 : 502,
    type: `rpc_worker_${e.failure}`,
    extra: e.endpoint === "" ? {} : { endpoint: e.endpoint },
    headers: {},
  })],
  [EngineError, row(500, "engine_error")],
  [QueueFullError, (e: QueueFullError) => ({
    status: 503,
    type: "queue_full",
    extra: {},
    headers: { "retry-after": String(Math.max(1, Math.ceil(e.retryAfterSeconds))) },
  })],
  [ChatTemplateError, row(400, "chat_template_error")],
  // A grammar the request implied (a schema, a tool call) that llama.cpp cannot take.
  [GrammarError, row(400, "invalid_grammar")],
  // A JSON schema with a keyword the grammar converter does not support.
  [UnsupportedSchemaError, row(400, "invalid_request")],
  // hub/
  [HubError, (e: HubError) => ({
    ...HUB_CODES[e.code],
    extra: {},
    headers: e.retryAfterMs === undefined
      ? {}
      : { "retry-after": String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) },
  })],
  [DiskSpaceError, (e: DiskSpaceError) => ({
    status: 507,
    type: "insufficient_storage",
    extra: { needed_bytes: e.neededBytes, available_bytes: e.availableBytes },
    headers: {},
  })],
  // storage/
  [NotFoundError, row(404, "not_found")],
  [MessageStateError, row(409, "conflict")],
  [DatabaseVersionError, row(500, "database_version")],
  [ChatImportError, row(400, "invalid_request")],
  // tables/: a malformed table file (the message names the line).
  [TableFormatError, row(400, "invalid_table_file")],
  // library/
  [ModelNotInLibraryError, row(404, "not_found")],
  [DeleteRefusedError, row(409, "delete_refused")],
  // app/
  [NoModelLoadedError, row(409, "no_model_loaded")],
  [ReplyBusyError, row(409, "conflict")],
  // The deletion was undone already or forgotten (app restart, UNDO_MS): gone for good.
  [UndoExpiredError, row(410, "gone")],
  [CannotContinueError, row(422, "cannot_continue")],
  [HubFileNotFoundError, row(404, "not_found")],
  [ModelBrokenError, (e: ModelBrokenError) => ({
    status: 422,
    type: "model_broken",
    extra: { broken_reason: e.reason },
    headers: {},
  })],
  // app/workspace/: the UI's files; a path that leaves the workspace is forbidden.
  [PathOutsideWorkspaceError, (e: PathOutsideWorkspaceError) => ({
    status: 403,
    type: "path_outside_workspace",
    extra: { reason: e.reason },
    headers: {},
  })],
  [WorkspaceNotFoundError, row(404, "not_found")],
  [FileHandleError, (e: FileHandleError) => HANDLE_PROBLEMS[e.problem]],
  [WorkspaceFileError, (e: WorkspaceFileError) => FILE_PROBLEMS[e.problem]],
  // app/sheets/
  [SheetNotFoundError, row(404, "not_found")],
  [SheetColumnError, row(400, "invalid_request")],
  [BenchRunNotFoundError, row(404, "not_found")],
  [HistoryQueryError, row(400, "invalid_request")],
  [SheetJobConflictError, row(409, "conflict")],
  // The import's user cancelled it (from another request): nothing was kept.
  [SheetImportCancelledError, row(409, "import_cancelled")],
  // app/providers/: a remote provider's answer, as the gateway Hearth is for it.
  [ProviderNotFoundError, row(404, "not_found")],
  // 401 would tell the UI its own launch secret failed: the provider's key is at fault.
  [ProviderAuthError, row(502, "provider_auth")],
  [ProviderModelNotFoundError, row(404, "model_not_found")],
  [ProviderRateLimitError, (e: ProviderRateLimitError) => ({
    status: 429,
    type: "rate_limited",
    extra: { provider: e.provider },
    headers: e.retryAfterMs === undefined
      ? {}
      : { "retry-after": String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) },
  })],
  [ProviderUpstreamError, (e: ProviderUpstreamError) => ({
    status: e.status === 0 ? 504 : 502,
    type: e.status === 0 ? "upstream_unreachable" : "upstream_error",
    extra: { provider: e.provider, ...(e.status === 0 ? {} : { upstream_status: e.status }) },
    headers: {},
  })],
  [ProviderError, row(502, "upstream_error")],
  // Wrong shapes and values that reached a service from a request: the client's fault.
  [SyntaxError, row(400, "invalid_request")],
  [TypeError, row(400, "invalid_request")],
  [RangeError, row(400, "invalid_request")],
]);

/**
 * How `error` is answered: its class's row, else its nearest ancestor's; an error
 * without one is a 500 `server_error`, logged with its stack (a bug to fix, not a
 * condition to report).
 */
export function httpFailure(error: unknown): HttpFailure {
  const message = error instanceof Error ? error.message : String(error);
  for (
    let proto = error instanceof Error ? Object.getPrototypeOf(error) : null;
    proto !== null && proto !== Error.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const found = ERROR_TABLE.get(proto.constructor);
    if (found) {
      const { extra = {}, headers = {}, ...rest } = found(error as never) as Partial<HttpFailure>;
      return { status: rest.status!, type: rest.type!, message, extra, headers };
    }
  }
  console.error(error);
  return { status: 500, type: "server_error", message, extra: {}, headers: {} };
}
