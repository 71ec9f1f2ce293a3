/**
 * Copies text to the clipboard. The async Clipboard API needs a secure context and, in some
 * WebKitGTK builds, a permission; the hidden-textarea fallback covers both.
 *
 * @module
 */

/**
 * Copies `text`; resolves true when it worked.
 *
 * @param text what to copy
 * @returns whether the copy succeeded
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
