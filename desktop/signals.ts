/**
 * The GObject signal handlers of one window, and their release: JS callbacks must stay
 * callable while GTK can reach them and be closed exactly once afterwards.
 *
 * @module
 */
import type { GtkLibs } from "../ffi/gtk_symbols.ts";
import { cString } from "../ffi/strings.ts";

/** Connects handlers and remembers what to disconnect and close; main thread only. */
export class Signals {
  readonly #libs: GtkLibs;
  readonly #callbacks: Deno.UnsafeCallback[] = [];
  /** Handlers on objects that outlive the window (WebKit's shared context). */
  readonly #external: { instance: Deno.PointerObject; id: bigint }[] = [];
  /** Objects referenced by {@link keepAlive}, unreferenced by {@link close}. */
  readonly #held: Deno.PointerObject[] = [];

  /** Creates an empty set for the stack `libs`. */
  constructor(libs: GtkLibs) {
    this.#libs = libs;
  }

  /**
   * Connects `handler` to `signal` of `instance`. Handlers on objects the window owns go
   * when the window is destroyed; pass `outlivesWindow` for others, so
   * {@link disconnectExternal} drops them.
   *
   * @returns the callback, which stays open until {@link close}.
   */
  connect<D extends Deno.UnsafeCallbackDefinition>(
    instance: Deno.PointerObject,
    signal: string,
    definition: D,
    handler: Deno.UnsafeCallbackFunction<D["parameters"], D["result"]>,
    { outlivesWindow = false } = {},
  ): Deno.UnsafeCallback<D> {
    const callback = new Deno.UnsafeCallback(definition, handler);
    this.#callbacks.push(callback as unknown as Deno.UnsafeCallback);
    const id = this.#libs.gobject.g_signal_connect_data(
      instance,
      cString(signal),
      callback.pointer,
      null,
      null,
      0, // G_CONNECT_DEFAULT
    );
    if (outlivesWindow) this.#external.push({ instance, id });
    return callback;
  }

  /**
   * Holds a reference on `instance` until {@link close}, so handlers connected to it
   * with `outlivesWindow` can still be disconnected then (a download WebKit may free).
   */
  keepAlive(instance: Deno.PointerObject): void {
    this.#libs.gobject.g_object_ref(instance);
    this.#held.push(instance);
  }

  /** Disconnects the handlers on objects that outlive the window; idempotent. */
  disconnectExternal(): void {
    for (const { instance, id } of this.#external.splice(0)) {
      this.#libs.gobject.g_signal_handler_disconnect(instance, id);
    }
    for (const instance of this.#held.splice(0)) this.#libs.gobject.g_object_unref(instance);
  }

  /**
   * Closes every callback. Only once GTK can no longer call them (the window destroyed,
   * external handlers disconnected) and outside any of them (a callback must not be
   * closed while it runs).
   */
  close(): void {
    this.disconnectExternal();
    for (const callback of this.#callbacks.splice(0)) callback.close();
  }
}
