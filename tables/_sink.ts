/**
 * A text or byte sink for table writers: buffered writes to `PATH.partial-PID`, renamed
 * over `PATH` on close, so a reader never sees half a file and a failed export leaves
 * the old file as it was.
 *
 * @module
 */

/** Bytes buffered before a write to the file (1 MiB). */
const FLUSH_BYTES = 1 << 20;

/** A buffered writer of one file; {@link FileSink.close} publishes it. */
export class FileSink {
  readonly path: string;
  readonly partialPath: string;
  readonly #file: Deno.FsFile;
  readonly #encoder = new TextEncoder();
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #done = false;

  private constructor(path: string, partialPath: string, file: Deno.FsFile) {
    this.path = path;
    this.partialPath = partialPath;
    this.#file = file;
  }

  /** Creates the partial file next to `path`. */
  static async create(path: string): Promise<FileSink> {
    const partialPath = `${path}.partial-${Deno.pid}`;
    const file = await Deno.open(partialPath, { write: true, create: true, truncate: true });
    return new FileSink(path, partialPath, file);
  }

  /** Appends text (UTF-8) or bytes. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? this.#encoder.encode(data) : data;
    this.#chunks.push(bytes);
    this.#buffered += bytes.length;
    if (this.#buffered >= FLUSH_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    const all = new Uint8Array(this.#buffered);
    let at = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    this.#chunks = [];
    this.#buffered = 0;
    let written = 0;
    while (written < all.length) written += await this.#file.write(all.subarray(written));
  }

  /**
   * Flushes, closes and renames the file over `path`. When that fails (a full disk,
   * `path` a folder) the partial file is deleted before the error is thrown.
   */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    try {
      try {
        await this.#flush();
        await this.#file.syncData();
      } finally {
        this.#file.close();
      }
      await Deno.rename(this.partialPath, this.path);
    } catch (error) {
      await Deno.remove(this.partialPath).catch(() => {});
      throw error;
    }
  }

  /** Closes and deletes the partial file; `path` is untouched. Idempotent. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#file.close();
    await Deno.remove(this.partialPath).catch(() => {});
  }
}
