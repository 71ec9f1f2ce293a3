/**
 * Transient notices at the bottom of the window ("Chat deleted · Undo", errors).
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import { ApiError } from "../api.ts";

/** One notice; `action` adds a button (Undo). */
export type Toast = {
  id: number;
  text: string;
  kind: "info" | "error";
  action?: { label: string; run: () => void };
};

/** How long a notice stays, in milliseconds; long enough to reach Undo. */
const TOAST_MS = 6000;
/** Older notices are dropped beyond this many, so errors cannot pile up over the window. */
const MAX_TOASTS = 3;

/** The toast store: `toasts` (oldest first), `show`, `dismiss`, `error`. */
export const ToastsModel = createModel(() => {
  const toasts = signal<readonly Toast[]>([]);
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  const dismiss = (id: number) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    toasts.value = toasts.value.filter((t) => t.id !== id);
  };
  /** Dismisses every notice (and its timer). */
  const clear = () => {
    for (const id of [...timers.keys()]) dismiss(id);
  };
  const show = (toast: Omit<Toast, "id">, timeoutMs = TOAST_MS): number => {
    const id = nextId++;
    toasts.value = [...toasts.value.slice(-(MAX_TOASTS - 1)), { ...toast, id }];
    timers.set(id, setTimeout(() => dismiss(id), timeoutMs));
    return id;
  };
  /** Shows an error; server errors keep their own message, which says what to do. */
  const error = (err: unknown) => {
    const text = err instanceof ApiError || err instanceof Error ? err.message : String(err);
    show({ text, kind: "error" });
  };
  return { toasts, show, dismiss, clear, error };
});

/** An instance of {@link ToastsModel}. */
export type Toasts = InstanceType<typeof ToastsModel>;
