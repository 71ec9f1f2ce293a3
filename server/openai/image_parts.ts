/**
 * OpenAI `image_url` content parts (`{"type": "image_url", "image_url": {"url": ...}}`)
 * to image bytes for the engine. `data:` URLs (base64) are decoded here; http(s) URLs
 * are refused unless the server was started with `--allow-image-urls` (a server that
 * fetches what clients name can be made to reach hosts only it can see), and then
 * fetched with a size and time limit.
 *
 * @module
 */
import { invalidRequest } from "./errors.ts";
import {
  invalidValue,
  type JsonObject,
  optionalObject,
  rejectUnknown,
  wrongType,
} from "./fields.ts";

/** The largest image accepted, in bytes (decoded or fetched): 20 MiB, OpenAI's limit. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** How long fetching one http(s) image may take, in milliseconds. */
export const IMAGE_FETCH_TIMEOUT_MS = 10_000;

/** An http(s) image a request names: fetched into `bytes` by {@link fetchRemoteImages}. */
export interface RemoteImage {
  /** The URL as sent. */
  url: string;
  /** The request field, for errors (`messages[0].content[1].image_url.url`). */
  param: string;
  /** The array slot the fetched bytes go to. */
  target: Uint8Array[];
  /** The index in `target`. */
  index: number;
}

/**
 * Reads one `image_url` part at `path` into `images` (a `data:` URL decoded at once, an
 * http(s) URL as an empty placeholder listed in `remote`).
 *
 * @throws {OpenAiError} 400 for a malformed part, a URL of another scheme, bad base64,
 *   an image over {@link MAX_IMAGE_BYTES}, or an http(s) URL when they are not allowed.
 */
export function readImagePart(
  part: JsonObject,
  path: string,
  images: Uint8Array[],
  remote: RemoteImage[],
  allowUrls: boolean,
): void {
  rejectUnknown(part, new Set(["type", "image_url"]), path);
  // OpenAI sends an object; some clients (and llama-server) accept the bare string.
  const field = typeof part.image_url === "string"
    ? { url: part.image_url }
    : optionalObject(part.image_url, `${path}.image_url`);
  if (field === undefined) {
    throw invalidRequest(`Missing required parameter: '${path}.image_url'.`, `${path}.image_url`);
  }
  rejectUnknown(field, new Set(["url", "detail"]), `${path}.image_url`);
  const param = `${path}.image_url.url`;
  if (typeof field.url !== "string") throw wrongType(param, "a string", field.url);
  const url = field.url;
  if (url.startsWith("data:")) {
    images.push(decodeDataUrl(url, param));
    return;
  }
  if (/^https?:\/\//i.test(url)) {
    if (!allowUrls) {
      throw invalidRequest(
        `Invalid '${param}': this server does not fetch image URLs; send the image inline as a ` +
          `data: URL (data:image/png;base64,...), or start the server with --allow-image-urls.`,
        param,
        "invalid_value",
      );
    }
    images.push(new Uint8Array());
    remote.push({ url, param, target: images, index: images.length - 1 });
    return;
  }
  throw invalidValue(param, "expected a data: URL (or an http(s) URL), but got another scheme");
}

function decodeDataUrl(url: string, param: string): Uint8Array {
  const comma = url.indexOf(",");
  const header = url.slice(5, comma);
  if (comma < 0 || !/;base64$/i.test(header)) {
    throw invalidValue(param, "expected a base64 data URL (data:image/png;base64,...)");
  }
  const body = url.slice(comma + 1);
  // 4 base64 characters are 3 bytes: refuse before decoding a huge string.
  if (body.length / 4 * 3 > MAX_IMAGE_BYTES) {
    throw invalidValue(param, `the image is over ${MAX_IMAGE_BYTES} bytes`);
  }
  try {
    return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  } catch {
    throw invalidValue(param, "the data URL is not valid base64");
  }
}

/**
 * Fetches every listed http(s) image into its slot, at most {@link MAX_IMAGE_BYTES}
 * each, within {@link IMAGE_FETCH_TIMEOUT_MS}.
 *
 * @throws {OpenAiError} 400 naming the field when a fetch fails, answers an error
 *   status, or is too large.
 */
export async function fetchRemoteImages(
  remote: readonly RemoteImage[],
  signal?: AbortSignal,
): Promise<void> {
  await Promise.all(remote.map(async (image) => {
    const fail = (reason: string) =>
      invalidRequest(
        `Invalid '${image.param}': cannot fetch the image: ${reason}.`,
        image.param,
        "invalid_value",
      );
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(IMAGE_FETCH_TIMEOUT_MS);
      response = await fetch(image.url, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw fail((error as Error).message);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw fail(`the server answered ${response.status}`);
    }
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > MAX_IMAGE_BYTES) {
      await response.body?.cancel();
      throw fail(`it is over ${MAX_IMAGE_BYTES} bytes`);
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_IMAGE_BYTES) throw fail(`it is over ${MAX_IMAGE_BYTES} bytes`);
    image.target[image.index] = bytes;
  }));
}
