/**
 * Opens a URL in the user's default browser with the platform's own opener.
 *
 * @module
 */

/** The opener command per OS: xdg-open on Linux and BSDs, open on macOS, start on Windows. */
function opener(url: string): [string, string[]] {
  switch (Deno.build.os) {
    case "darwin":
      return ["open", [url]];
    case "windows":
      // `start` treats its first quoted argument as a window title.
      return ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]];
    default:
      return ["xdg-open", [url]];
  }
}

/**
 * Opens `url`; resolves when the opener has started.
 *
 * @throws {Error} when the opener is missing or fails.
 */
export async function openBrowser(url: string): Promise<void> {
  const [command, args] = opener(url);
  const child = new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  const status = await child.status;
  if (!status.success) throw new Error(`${command} exited with ${status.code}`);
}
