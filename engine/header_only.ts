/**
 * A stand-in file for a GGUF that is not here yet: its real header followed by a
 * sparse hole up to the real size. It passes validation and llama.cpp's `no_alloc`
 * simulation reads only the header, so the memory fit of a hub file comes from
 * llama.cpp itself before a byte of weights is downloaded; the hole takes no disk.
 *
 * @module
 */

/**
 * Writes `header` (the first bytes of the file, up to where tensor data starts) to a
 * new temporary `.gguf` file extended to `sizeBytes`; the caller removes it.
 *
 * @throws {RangeError} when the header is longer than the file.
 */
export async function writeHeaderOnlyGguf(header: Uint8Array, sizeBytes: number): Promise<string> {
  if (header.length > sizeBytes) {
    throw new RangeError(
      `Cannot stand in for a ${sizeBytes}-byte file with a ${header.length}-byte header`,
    );
  }
  const path = await Deno.makeTempFile({ prefix: "hearth-header-", suffix: ".gguf" });
  try {
    await Deno.writeFile(path, header);
    await Deno.truncate(path, sizeBytes);
    return path;
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw error;
  }
}
