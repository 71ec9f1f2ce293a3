/**
 * Chat attachments: text files of a workspace, read through the file layer (the same
 * path checks and handles as the UI's own reads) and put into the user's message, so the
 * model sees them and the chat keeps them. Each file goes in as
 * `<file name="PATH">…</file>` after the message.
 *
 * @module
 */
import type { WorkspaceFiles } from "./files.ts";

/** Largest attached file, in bytes (256 KiB: well past a small model's context already). */
export const MAX_ATTACHMENT_BYTES = 256 << 10;

/** Most files one message may attach. */
export const MAX_ATTACHMENTS = 8;

/** A workspace file to attach. */
export interface AttachmentRef {
  /** The workspace's id. */
  workspace: string;
  /** Its workspace-relative path. */
  path: string;
}

/**
 * Reads a workspace file as UTF-8 text through a read handle.
 *
 * @throws {RangeError} For a file over {@link MAX_ATTACHMENT_BYTES}.
 * @throws {TypeError} For a file that is not UTF-8 text.
 * @throws What {@link WorkspaceFiles.open} throws (a path outside the workspace, a missing file).
 */
export async function readAttachment(files: WorkspaceFiles, ref: AttachmentRef): Promise<string> {
  const { handle, size } = await files.open(ref.workspace, ref.path, "r");
  try {
    if (size > MAX_ATTACHMENT_BYTES) {
      throw new RangeError(
        `Cannot attach "${ref.path}": it has ${size} bytes, more than ${MAX_ATTACHMENT_BYTES}`,
      );
    }
    // One byte more than the size: a file that grew since open shows as too large.
    const bytes = await files.read(handle, 0, size + 1);
    if (bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new RangeError(`Cannot attach "${ref.path}": more than ${MAX_ATTACHMENT_BYTES} bytes`);
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new TypeError(`Cannot attach "${ref.path}": it is not UTF-8 text`);
    }
  } finally {
    await files.close(handle).catch(() => {});
  }
}

/**
 * `content` with each referenced file appended as `<file name="PATH">TEXT</file>`.
 *
 * @throws {TypeError} For malformed references or more than {@link MAX_ATTACHMENTS}.
 * @throws What {@link readAttachment} throws.
 */
export async function withAttachments(
  files: WorkspaceFiles,
  content: string,
  refs: unknown,
): Promise<string> {
  if (refs === undefined || refs === null) return content;
  if (!Array.isArray(refs) || refs.length > MAX_ATTACHMENTS) {
    throw new TypeError(`attachments must be an array of at most ${MAX_ATTACHMENTS} files`);
  }
  const blocks: string[] = [];
  for (const ref of refs) {
    if (typeof ref?.workspace !== "string" || typeof ref?.path !== "string") {
      throw new TypeError("each attachment must be { workspace: string, path: string }");
    }
    const text = await readAttachment(files, ref);
    blocks.push(`<file name="${ref.path.replaceAll('"', "&quot;")}">\n${text}\n</file>`);
  }
  return blocks.length === 0 ? content : `${content}\n\n${blocks.join("\n\n")}`;
}
