/**
 * Images attached to messages (`message_images`): the bytes of each image a user sent
 * with a message, in order, for a model with an mmproj. Deleting the message deletes
 * them (ON DELETE CASCADE).
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";

/** The image types a message may carry: what libmtmd decodes and browsers show. */
export const IMAGE_MIME_TYPES = ["image/png", "image/jpeg", "image/gif", "image/bmp"] as const;

/** Most images per message. */
export const MAX_IMAGES_PER_MESSAGE = 8;

/** One attached image. */
export interface MessageImage {
  /** One of {@link IMAGE_MIME_TYPES}. */
  mime_type: string;
  /** The encoded file. */
  data: Uint8Array;
}

/** Reads and writes the images of messages. */
export class MessageImageStore {
  readonly #ctx: StoreContext;

  /** @internal Made by Storage. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Stores `images` for message `messageId`, replacing any it had.
   *
   * @throws {TypeError} for a type not in {@link IMAGE_MIME_TYPES}, empty data or more
   *   than {@link MAX_IMAGES_PER_MESSAGE} images.
   */
  set(messageId: string, images: readonly MessageImage[]): void {
    if (images.length > MAX_IMAGES_PER_MESSAGE) {
      throw new TypeError(`A message takes at most ${MAX_IMAGES_PER_MESSAGE} images`);
    }
    images.forEach((image, i) => {
      if (!(IMAGE_MIME_TYPES as readonly string[]).includes(image.mime_type)) {
        throw new TypeError(
          `images[${i}].mime_type must be one of ${
            IMAGE_MIME_TYPES.join(", ")
          }, got "${image.mime_type}"`,
        );
      }
      if (!(image.data instanceof Uint8Array) || image.data.length === 0) {
        throw new TypeError(`images[${i}].data must be non-empty bytes`);
      }
    });
    const { sql } = this.#ctx;
    sql.get("DELETE FROM message_images WHERE message_id = ?").run(messageId);
    images.forEach((image, i) => {
      sql.get(
        "INSERT INTO message_images (message_id, position, mime_type, data) VALUES (?, ?, ?, ?)",
      ).run(messageId, i, image.mime_type, image.data);
    });
  }

  /** The images of `messageId`, in order; [] when it has none. */
  list(messageId: string): MessageImage[] {
    return this.#ctx.sql.get(
      "SELECT mime_type, data FROM message_images WHERE message_id = ? ORDER BY position",
    ).all(messageId).map((row) => ({
      mime_type: row.mime_type as string,
      data: new Uint8Array(row.data as Uint8Array),
    }));
  }

  /** How many images each of `messageIds` has (absent = none). */
  counts(messageIds: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of messageIds) {
      const row = this.#ctx.sql.get(
        "SELECT COUNT(*) AS n FROM message_images WHERE message_id = ?",
      ).get(id);
      const n = Number(row?.n ?? 0);
      if (n > 0) counts.set(id, n);
    }
    return counts;
  }
}
