/**
 * Tiny images for the image-input tests, and whether libmtmd is built (tests that
 * need it skip, saying how to build it, when it is not).
 *
 * @module
 */
import { locateLibraries } from "../ffi/lib_dir.ts";
import { hasMtmd } from "../ffi/mtmd_library.ts";

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A 28x28 red PNG (stories260K's mmproj takes 28x28 images). */
export const RED_PNG: Uint8Array = fromBase64(
  "iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAIAAAD9b0jDAAAAJElEQVR42mM4ISdHdcQwauiooaOGjho6auiooaOGjho6MgwFADx0HG40RxQOAAAAAElFTkSuQmCC",
);

/** A 40x20 blue PNG: another image, resized by the mmproj's preprocessing. */
export const BLUE_PNG: Uint8Array = fromBase64(
  "iVBORw0KGgoAAAANSUhEUgAAACgAAAAUCAIAAABwJOjsAAAAJElEQVR42mOQkzsxIIhh1OJRi0ctHrV41OJRi0ctHrV45FgMACwlLK7xMYUgAAAAAElFTkSuQmCC",
);

/** Bytes that start like a PNG and then are not one. */
export const CORRUPT_PNG: Uint8Array = Uint8Array.from([
  ...RED_PNG.subarray(0, 16),
  ...new TextEncoder().encode("this is no image data at all"),
]);

/** The libllama folder the tests use has libmtmd (`native/build.sh mtmd`). */
export const MTMD_BUILT: boolean = hasMtmd((await locateLibraries()).dir);

/** Why tests that need libmtmd are skipped, printed once by each such file. */
export const MTMD_SKIP_REASON =
  "libmtmd is not built next to the prebuilt libllama: run `native/build.sh mtmd` " +
  "(about 15 minutes on 2 cores) to run the image-input tests";
