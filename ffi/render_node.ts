/**
 * Whether the machine has a GPU that Linux exposes as a render node: the variant choice
 * (ffi/lib_dir.ts) and the window's painting mode (desktop/window.ts) both ask.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";

/** Whether Linux exposes a GPU render node (`/dev/dri/renderD*`). */
export function hasRenderNode(): boolean {
  return existsSync("/dev/dri") &&
    readdirSync("/dev/dri").some((name) => name.startsWith("renderD"));
}
