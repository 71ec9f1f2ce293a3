/**
 * The UI's client of the workspace file layer (docs/ui-api.md, "Workspace files"): the
 * only way the page reaches files. Folders are chosen in the native window's dialog (or
 * added by path in a browser); files are opened into handles and read and written in
 * chunks as raw bytes (`application/octet-stream`, no base64).
 *
 * @module
 */
import type {
  FileInfo,
  OpenFileResponse,
  OpenMode,
  Workspace,
  WorkspaceList,
  WorkspaceListing,
  WriteFileResponse,
} from "../api/workspace_json.ts";
import { ApiError, errorOf } from "./api.ts";

/** Chunk size of {@link WorkspaceApi.readFile} and {@link WorkspaceApi.writeFile}: 8 MiB. */
export const DEFAULT_CHUNK_BYTES = 8 << 20;

/** Reads {@link WorkspaceApi.readFile} keeps in flight on one handle. */
export const DEFAULT_READS_IN_FLIGHT = 2;

/**
 * Writes {@link WorkspaceApi.writeFile} keeps in flight on one handle: 4 wrote 1 GiB at
 * 411 MiB/s against 216 with 2 (docs/benchmarks.md, "Workspace files: the relay's fast
 * path and the socket ceiling").
 */
export const DEFAULT_WRITES_IN_FLIGHT = 4;

/** The client: one method per route, plus whole-file helpers. */
export type WorkspaceApi = ReturnType<typeof createWorkspaceApi>;

/**
 * Creates the client.
 *
 * @param base URL prefix of the server, "" for the page's own origin.
 * @param headers Extra headers of every request; the page needs none (its cookie carries
 *   the secret), scripts and tests pass `authorization: Bearer SECRET`.
 * @returns methods that resolve with the wire shapes and reject with {@link ApiError}.
 */
export function createWorkspaceApi(base = "", headers: Record<string, string> = {}) {
  const send = async (method: string, path: string, init: RequestInit = {}) => {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        credentials: "same-origin",
        ...init,
        headers: { ...headers, ...init.headers as Record<string, string> },
      });
    } catch (cause) {
      throw new ApiError(0, "network", `Cannot reach the Hearth server: ${String(cause)}`);
    }
    if (!response.ok) throw errorOf(response.status, await response.text());
    return response;
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await send(
      method,
      path,
      body === undefined ? {} : {
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      },
    );
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const id = encodeURIComponent;
  const query = (path: string) => (path ? `?path=${id(path)}` : "");

  const api = {
    /** The workspace folders, and whether a folder dialog can be shown. */
    workspaces: () => json<WorkspaceList>("GET", "/api/workspaces"),
    /** Adds a folder by its absolute path (the browser UI's way). */
    addWorkspace: (path: string) => json<Workspace>("POST", "/api/workspaces", { path }),
    /** Shows the native folder dialog; null when the user cancelled. */
    chooseWorkspace: async () =>
      (await json<{ workspace: Workspace | null }>("POST", "/api/workspaces/choose")).workspace,
    /** Forgets a workspace folder (its files stay) and closes its open files. */
    removeWorkspace: (workspace: string) =>
      json<void>("DELETE", `/api/workspaces/${id(workspace)}`),
    /** Lists a folder of a workspace ("" for its root). */
    list: (workspace: string, path = "") =>
      json<WorkspaceListing>("GET", `/api/workspaces/${id(workspace)}/list${query(path)}`),
    /** Describes a file or folder of a workspace. */
    stat: (workspace: string, path: string) =>
      json<FileInfo>("GET", `/api/workspaces/${id(workspace)}/stat${query(path)}`),
    /** Opens a file into a handle. */
    open: (workspace: string, path: string, mode: OpenMode) =>
      json<OpenFileResponse>("POST", "/api/files", { workspace, path, mode }),
    /** Reads up to `length` bytes at `offset` (fewer only at the end of the file). */
    read: async (handle: string, offset: number, length: number): Promise<Uint8Array> => {
      const response = await send(
        "GET",
        `/api/files/${id(handle)}?offset=${offset}&length=${length}`,
      );
      return new Uint8Array(await response.arrayBuffer());
    },
    /**
     * Reads up to `target.length` bytes at `offset` into `target`'s buffer (fewer only at
     * the end of the file), for callers that reuse one buffer per read in flight: no
     * fresh buffer per chunk. Where the browser has BYOB readers the buffer is
     * transferred, so `target` is detached afterwards: use the returned view (over the
     * same memory, `target.length` long) for the next call.
     *
     * @returns the bytes read, a view from the start of the (moved) buffer.
     */
    readInto: async (
      handle: string,
      offset: number,
      target: Uint8Array<ArrayBuffer>,
    ): Promise<Uint8Array<ArrayBuffer>> => {
      const response = await send(
        "GET",
        `/api/files/${id(handle)}?offset=${offset}&length=${target.length}`,
      );
      return await readBodyInto(response, target);
    },
    /** Writes `bytes` at `offset` (buffered by the app; errors may come with a later call). */
    write: (handle: string, offset: number, bytes: Uint8Array) => writeBytes(handle, offset, bytes),
    /** Size and modification time of an open file, its buffered writes included. */
    statFile: (handle: string) => json<FileInfo>("GET", `/api/files/${id(handle)}/stat`),
    /** Writes out the file's buffer and closes it. */
    close: (handle: string) => json<void>("DELETE", `/api/files/${id(handle)}`),

    /**
     * Reads a whole file in chunks of `chunkBytes`, `inFlight` reads at a time on one
     * handle; `onChunk` gets each chunk in file order.
     *
     * @returns the file's size in bytes.
     */
    async readFile(
      workspace: string,
      path: string,
      onChunk: (bytes: Uint8Array, offset: number) => void | Promise<void>,
      { chunkBytes = DEFAULT_CHUNK_BYTES, inFlight = DEFAULT_READS_IN_FLIGHT } = {},
    ): Promise<number> {
      const { handle, size } = await api.open(workspace, path, "r");
      try {
        const queue: Promise<Uint8Array>[] = [];
        let next = 0;
        const fill = () => {
          while (queue.length < inFlight && next < size) {
            queue.push(api.read(handle, next, Math.min(chunkBytes, size - next)));
            next += chunkBytes;
          }
        };
        fill();
        for (let offset = 0; queue.length > 0;) {
          const bytes = await queue.shift()!;
          fill();
          await onChunk(bytes, offset);
          offset += bytes.length;
        }
        return size;
      } finally {
        await api.close(handle).catch(() => {});
      }
    },

    /** Reads a whole file as UTF-8 text. */
    async readText(workspace: string, path: string): Promise<string> {
      const parts: Uint8Array[] = [];
      await api.readFile(workspace, path, (bytes) => void parts.push(bytes));
      return new TextDecoder().decode(await new Blob(parts as BlobPart[]).arrayBuffer());
    },

    /**
     * Writes `chunks` one after another from offset 0 into `path` (created or emptied),
     * `inFlight` writes at a time, then closes it, so every buffered byte is on disk when
     * it resolves. A chunk may be reused once the next is asked for (fetch copies a body
     * when called).
     *
     * @returns the bytes written.
     */
    async writeFile(
      workspace: string,
      path: string,
      chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
      { inFlight = DEFAULT_WRITES_IN_FLIGHT } = {},
    ): Promise<number> {
      const { handle } = await api.open(workspace, path, "w");
      let offset = 0;
      const running = new Set<Promise<unknown>>();
      let failed: { error: unknown } | undefined;
      try {
        for await (const chunk of chunks) {
          const one = writeBytes(handle, offset, chunk).catch((error) => {
            failed ??= { error };
          });
          running.add(one);
          one.finally(() => running.delete(one));
          offset += chunk.length;
          if (running.size >= Math.max(1, inFlight)) await Promise.race(running);
          if (failed) throw failed.error;
        }
        await Promise.all(running);
        if (failed) throw failed.error;
      } catch (error) {
        await Promise.all(running);
        await api.close(handle).catch(() => {});
        throw error;
      }
      await api.close(handle);
      return offset;
    },
  };

  async function writeBytes(handle: string, offset: number, bytes: Uint8Array) {
    const response = await send("PUT", `/api/files/${id(handle)}?offset=${offset}`, {
      body: bytes as BodyInit,
      headers: { "content-type": "application/octet-stream" },
    });
    return await response.json() as WriteFileResponse;
  }

  return api;
}

/**
 * Reads `response`'s body into `target`'s memory: with a BYOB reader (no copy) where
 * there is one, else chunk by chunk. A body longer than `target` is an error.
 */
async function readBodyInto(
  response: Response,
  target: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const body = response.body;
  if (body === null) return target.subarray(0, 0);
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // No byte stream here (older WebKit): copy each chunk in.
  }
  // The first BYOB read moves the buffer: `target` reads as empty after it.
  const { length, byteOffset } = target;
  let buffer = target.buffer;
  let filled = 0;
  if (byob === undefined) {
    const reader = body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      if (filled + next.value.length > length) throw tooLong(length);
      target.set(next.value, filled);
      filled += next.value.length;
    }
    return target.subarray(0, filled);
  }
  for (;;) {
    // At the end ask for one byte more than fits, to see the end of the body (or excess).
    const room = filled < length ? length - filled : 1;
    const view = filled < length
      ? new Uint8Array(buffer, byteOffset + filled, room)
      : new Uint8Array(new ArrayBuffer(1));
    const { done, value } = await byob.read(view);
    if (done) {
      if (value && filled < length) buffer = value.buffer as ArrayBuffer;
      break;
    }
    if (filled < length) buffer = value.buffer as ArrayBuffer;
    if (value.length === 0) continue;
    if (filled >= length) throw tooLong(length);
    filled += value.length;
  }
  byob.releaseLock();
  return new Uint8Array(buffer, byteOffset, length).subarray(0, filled);
}

function tooLong(length: number): ApiError {
  return new ApiError(0, "network", `The server sent more than the ${length} bytes asked for`);
}
