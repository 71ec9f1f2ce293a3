/**
 * Free disk space, for the check before a download. `Deno.statfs` does not exist, so
 * this runs POSIX `df -Pk` (Linux, macOS); where that fails the check is skipped.
 *
 * @module
 */
import { DiskSpaceError } from "./errors.ts";

/**
 * Parses `df -Pk` output: the "Available" column (4th) of the first data line, in
 * 1024-byte blocks.
 *
 * @returns Free bytes, or null when the output has no such line.
 */
export function parseDfAvailable(output: string): number | null {
  const line = output.trim().split("\n")[1];
  const blocks = line?.trim().split(/\s+/)[3];
  return blocks !== undefined && /^\d+$/.test(blocks) ? Number(blocks) * 1024 : null;
}

/**
 * Free bytes for this user on the file system holding `dir` (which must exist).
 *
 * @returns The bytes, or null when `df` is missing, not permitted or unparseable.
 */
export async function availableBytes(dir: string): Promise<number | null> {
  if (Deno.build.os === "windows") return null;
  try {
    const { success, stdout } = await new Deno.Command("df", {
      args: ["-Pk", dir],
      stdout: "piped",
      stderr: "null",
      env: { LC_ALL: "C" },
    }).output();
    return success ? parseDfAvailable(new TextDecoder().decode(stdout)) : null;
  } catch {
    return null;
  }
}

/**
 * Checks that `neededBytes` fit in `dir`.
 *
 * @param available Free bytes, or null to skip the check (unknown).
 * @throws {DiskSpaceError} They do not fit.
 */
export function checkDiskSpace(dir: string, neededBytes: number, available: number | null): void {
  if (available !== null && neededBytes > available) {
    throw new DiskSpaceError(dir, neededBytes, available);
  }
}
