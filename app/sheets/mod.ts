/**
 * Sheets (issue 11): tables whose AI columns a model fills, row by row, on the local
 * engine's slots or a remote provider, in resumable jobs.
 *
 * @module
 */
export {
  SheetColumnError,
  SheetImportCancelledError,
  SheetJobConflictError,
  SheetNotFoundError,
} from "./errors.ts";
export {
  backendGenerator,
  type CellGenerator,
  type CellRequest,
  type CellResult,
  REMOTE_CONCURRENCY,
  servingGenerator,
} from "./generators.ts";
export {
  IMPORT_PROGRESS_INTERVAL_MS,
  type RunImportOptions,
  type SheetImportProgress,
  SheetImports,
  type SheetImportsOptions,
} from "./imports.ts";
export { buildCellPrompt, type CellPrompt, templateColumns } from "./prompt.ts";
export {
  type ColumnProgress,
  DEFAULT_PARALLEL,
  MAX_EXAMPLES,
  type RunnerOptions,
  SheetJobRunner,
} from "./runner.ts";
export {
  type AiColumnInput,
  DEFAULT_MAX_TOKENS,
  type SheetRowsView,
  SheetService,
} from "./service.ts";
export { exportSheet, importSheet, type ImportTick } from "./transfer.ts";
