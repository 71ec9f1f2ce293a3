/**
 * Puts Hearth in the desktop's application menu for the current user, the XDG way: a
 * desktop entry in `$XDG_DATA_HOME/applications` and a scalable icon in the hicolor
 * theme under `$XDG_DATA_HOME/icons` (`$XDG_DATA_HOME` defaults to `~/.local/share`).
 * Run as a script by `deno task install-desktop`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The app id: the entry's file name, the icon's name and the window's WM_CLASS. */
export const APP_ID = "hearth";

/** Where {@link installDesktopEntry} wrote the two files. */
export interface InstalledEntry {
  /** `<data home>/applications/hearth.desktop`. */
  entry: string;
  /** `<data home>/icons/hicolor/scalable/apps/hearth.svg`. */
  icon: string;
}

/** The user's XDG data home: `$XDG_DATA_HOME` if it is an absolute path, else `~/.local/share`. */
export function xdgDataHome(env: { get(name: string): string | undefined } = Deno.env): string {
  const value = env.get("XDG_DATA_HOME");
  if (value?.startsWith("/")) return value;
  const home = env.get("HOME");
  if (!home) throw new Error("Cannot find the XDG data home: HOME and XDG_DATA_HOME are unset");
  return join(home, ".local", "share");
}

/**
 * Quotes one argument of an Exec key as the Desktop Entry spec wants: arguments with
 * reserved characters go in double quotes with `"`, `` ` ``, `$` and `\` escaped, and
 * `%` is doubled everywhere (a lone `%` starts a field code).
 */
export function quoteExecArgument(argument: string): string {
  const quoted = /[\s"'\\><~|&;$*?#()`]/u.test(argument) || argument === ""
    ? `"${argument.replace(/["`$\\]/g, (c) => `\\${c}`)}"`
    : argument;
  return quoted.replaceAll("%", "%%");
}

/**
 * The desktop entry's text for a command line.
 *
 * @param command The program (an absolute path) and its arguments.
 * @throws {TypeError} when the command is empty.
 */
export function desktopEntry(command: readonly string[]): string {
  if (command.length === 0) throw new TypeError("Cannot write a desktop entry: empty command");
  // Values are escaped: a newline in a path would end the key.
  const exec = command.map(quoteExecArgument).join(" ").replace(/\n/g, "\\n");
  return [
    "[Desktop Entry]",
    "Type=Application",
    "Version=1.5",
    "Name=Hearth",
    "GenericName=Local AI chat",
    "Comment=Chat with language models that run on this computer",
    `Exec=${exec}`,
    `Icon=${APP_ID}`,
    "Terminal=false",
    "Categories=Utility;Development;",
    "Keywords=LLM;AI;chat;llama;GGUF;",
    "StartupNotify=true",
    `StartupWMClass=${APP_ID}`,
    "",
  ].join("\n");
}

/**
 * Writes the desktop entry and the icon for the current user, replacing earlier ones.
 *
 * @param options.command The command that starts Hearth: absolute program path first.
 * @param options.dataHome The XDG data home. Default: {@link xdgDataHome}.
 * @returns the paths written.
 * @throws {Error} when a file cannot be written (the message names it).
 */
export async function installDesktopEntry(
  options: { command: readonly string[]; dataHome?: string },
): Promise<InstalledEntry> {
  const dataHome = options.dataHome ?? xdgDataHome();
  const entry = join(dataHome, "applications", `${APP_ID}.desktop`);
  const icon = join(dataHome, "icons", "hicolor", "scalable", "apps", `${APP_ID}.svg`);
  const iconSource = new URL("../ui/favicon.svg", import.meta.url);
  const write = async (path: string, data: string | Uint8Array) => {
    try {
      await Deno.mkdir(dirname(path), { recursive: true });
      if (typeof data === "string") await Deno.writeTextFile(path, data, { mode: 0o644 });
      else await Deno.writeFile(path, data, { mode: 0o644 });
    } catch (error) {
      throw new Error(`Cannot write "${path}": ${(error as Error).message}`, { cause: error });
    }
  };
  await write(icon, await Deno.readFile(iconSource));
  await write(entry, desktopEntry(options.command));
  return { entry, icon };
}

if (import.meta.main) {
  const main = fileURLToPath(new URL("../main.ts", import.meta.url));
  const { entry, icon } = await installDesktopEntry({
    command: [Deno.execPath(), "run", "-A", main],
  });
  console.log(`Installed ${entry}\nand ${icon}`);
}
