/**
 * The generation history (every reply and sheet job) and saved bench runs, for the front
 * ends.
 *
 * @module
 */
export {
  DEFAULT_HISTORY_LIMIT,
  type HistoryQuery,
  type HistoryResult,
  HistoryService,
  MAX_HISTORY_LIMIT,
} from "./service.ts";
export { BenchRunNotFoundError, HistoryQueryError } from "./errors.ts";
