/**
 * Just enough PNG decoding for window tests: 8-bit RGB or RGBA, not interlaced (what
 * cairo writes and what ImageMagick writes for `PNG24:`), through the platform's
 * DecompressionStream.
 *
 * @module
 */

/** Decoded pixels: `channels` bytes per pixel, row after row. */
export interface Pixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Reads a PNG file into pixels; throws SyntaxError for anything but 8-bit RGB(A). */
export async function readPng(path: string): Promise<Pixels> {
  const bytes = await Deno.readFile(path);
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw new SyntaxError(`Not a PNG: "${path}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let width = 0, height = 0, channels: 3 | 4 = 3;
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colorType, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new SyntaxError(
          `Unsupported PNG "${path}": depth ${depth}, color type ${colorType}, interlace ${interlace}`,
        );
      }
      channels = colorType === 6 ? 4 : 3;
    } else if (type === "IDAT") {
      idat.push(body);
    }
    at += 12 + length;
  }
  const stream = new Blob(idat as BlobPart[]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  return { width, height, channels, data: unfilter(raw, width, height, channels) };
}

/** Undoes PNG's per-row filters (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[row - stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp] : 0;
      let predicted = 0;
      if (filter === 1) predicted = a;
      else if (filter === 2) predicted = b;
      else if (filter === 3) predicted = (a + b) >> 1;
      else if (filter === 4) predicted = paeth(a, b, c);
      out[row + x] = (src[x] + predicted) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The share (0..1) of pixels within `tolerance` of `rgb` on every channel. */
export function colourShare(pixels: Pixels, rgb: readonly [number, number, number], tolerance = 3) {
  const { data, channels } = pixels;
  let matching = 0;
  for (let i = 0; i < data.length; i += channels) {
    if (
      Math.abs(data[i] - rgb[0]) <= tolerance &&
      Math.abs(data[i + 1] - rgb[1]) <= tolerance &&
      Math.abs(data[i + 2] - rgb[2]) <= tolerance
    ) matching++;
  }
  return matching / (pixels.width * pixels.height);
}

/** The [r, g, b] of the pixel at (x, y). */
export function pixelAt(pixels: Pixels, x: number, y: number): [number, number, number] {
  const at = (y * pixels.width + x) * pixels.channels;
  return [pixels.data[at], pixels.data[at + 1], pixels.data[at + 2]];
}
