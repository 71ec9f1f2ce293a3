/**
 * A library the page loads only when first needed (an esbuild chunk behind a dynamic
 * `import()`), for the reply renderer's heavy parts: highlight.js and KaTeX are about three
 * quarters of the UI's JavaScript and most chats never show code or math.
 *
 * Renderers stay synchronous (marked renders synchronously while a reply streams): they ask
 * {@link LazyLibrary.get}, which starts the load and answers null until it is done, render a
 * plain fallback meanwhile, and whoever shows the HTML renders again when
 * {@link onRenderLibraryLoaded} fires.
 *
 * @module
 */

const listeners = new Set<() => void>();

/**
 * Calls `listener` each time a lazily loaded rendering library becomes usable, so HTML
 * rendered with a fallback can be rendered again.
 *
 * @returns a function that removes the listener
 */
export function onRenderLibraryLoaded(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** One lazily loaded library. */
export class LazyLibrary<T> {
  #value: T | null = null;
  #loading: Promise<T> | null = null;
  readonly #load: () => Promise<T>;
  readonly #name: string;

  /**
   * @param name what it is, for the console message when its chunk fails to load
   * @param load imports the library (a dynamic `import()`: esbuild makes it a chunk)
   */
  constructor(name: string, load: () => Promise<T>) {
    this.#name = name;
    this.#load = load;
  }

  /** The library if loaded; otherwise starts loading it (once) and returns null. */
  get(): T | null {
    if (this.#value === null) void this.load().catch(() => {});
    return this.#value;
  }

  /**
   * Loads the library (once; a failed load is tried again on the next call) and tells the
   * {@link onRenderLibraryLoaded} listeners.
   *
   * @throws the import's error when its chunk cannot be fetched or run
   */
  load(): Promise<T> {
    this.#loading ??= this.#load().then((value) => {
      this.#value = value;
      for (const listener of [...listeners]) listener();
      return value;
    }, (error) => {
      this.#loading = null;
      console.warn(`Cannot load ${this.#name}: ${error}`);
      throw error;
    });
    return this.#loading;
  }
}
