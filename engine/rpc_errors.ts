/**
 * Errors of llama.cpp RPC workers (`ggml-rpc-server`) an engine splits a model across:
 * unreachable, incompatible, lost mid-request or unsupported. Re-exported by errors.ts.
 *
 * @module
 */

/** What went wrong with an RPC worker (`ggml-rpc-server`), see {@link RpcWorkerError}. */
export type RpcWorkerFailure = "unreachable" | "incompatible" | "lost" | "unsupported";

/**
 * Thrown when a model split across llama.cpp RPC workers (`--rpc HOST:PORT`) cannot use
 * one: `"unreachable"` (no connection or no protocol hello within the timeout, found
 * before anything is loaded), `"incompatible"` (another RPC protocol version),
 * `"lost"` (the worker went away during a load or a generation; the engine process that
 * used it ended, this one lives on), `"unsupported"` (no `libggml-rpc` library: build it
 * with `native/build.sh rpc`).
 *
 * @example
 * ```ts
 * import { RpcWorkerError } from "@hearth/hearth";
 *
 * const error = new RpcWorkerError("127.0.0.1:50052", "lost", "RPC worker 127.0.0.1:50052 went away");
 * console.log(error.endpoint, error.failure); // 127.0.0.1:50052 lost
 * ```
 */
export class RpcWorkerError extends Error {
  /** The worker as given to `--rpc`, "HOST:PORT"; "" when no one worker is at fault. */
  readonly endpoint: string;
  /** What went wrong. */
  readonly failure: RpcWorkerFailure;

  /**
   * Creates the error.
   *
   * @param endpoint The worker, "HOST:PORT", or "".
   * @param failure What went wrong.
   * @param message The whole message, naming the worker and what to do.
   */
  constructor(
    endpoint: string,
    failure: RpcWorkerFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RpcWorkerError";
    this.endpoint = endpoint;
    this.failure = failure;
  }
}
