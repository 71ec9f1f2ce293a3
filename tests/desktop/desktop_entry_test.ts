/**
 * `deno task install-desktop` puts a valid desktop entry and its icon under the XDG data
 * home (a temp one here), so Hearth appears in the application menu.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { desktopEntry, quoteExecArgument, xdgDataHome } from "../../desktop/desktop_entry.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Keys of the Desktop Entry Specification 1.5 for Type=Application. */
const KNOWN_KEYS = new Set([
  "Type",
  "Version",
  "Name",
  "GenericName",
  "NoDisplay",
  "Comment",
  "Icon",
  "Hidden",
  "OnlyShowIn",
  "NotShowIn",
  "DBusActivatable",
  "TryExec",
  "Exec",
  "Path",
  "Terminal",
  "Actions",
  "MimeType",
  "Categories",
  "Implements",
  "Keywords",
  "StartupNotify",
  "StartupWMClass",
  "PrefersNonDefaultGPU",
  "SingleMainWindow",
]); // deno-fmt-ignore
const LIST_KEYS = ["Categories", "Keywords", "MimeType", "OnlyShowIn", "NotShowIn", "Actions"];
const BOOLEAN_KEYS = ["Terminal", "StartupNotify", "NoDisplay", "Hidden", "DBusActivatable"];

/** Parses and checks a desktop entry the way desktop-file-validate does, for our keys. */
function validate(text: string): Map<string, string> {
  const lines = text.split("\n");
  assertEquals(lines[0], "[Desktop Entry]", "the first group must be [Desktop Entry]");
  assertEquals(lines.at(-1), "", "the file must end with a newline");
  const keys = new Map<string, string>();
  for (const line of lines.slice(1, -1)) {
    if (line === "" || line.startsWith("#")) continue;
    assert(!line.startsWith("["), `only one group expected: ${line}`);
    const match = /^([A-Za-z0-9-]+)(\[[^\]]+\])?=(.*)$/.exec(line);
    assert(match, `not a key=value line: ${JSON.stringify(line)}`);
    const [, key, locale, value] = match;
    assert(KNOWN_KEYS.has(key), `unknown key ${key}`);
    const name = key + (locale ?? "");
    assert(!keys.has(name), `duplicate key ${name}`);
    keys.set(name, value);
  }
  for (const key of ["Type", "Name", "Exec", "Icon"]) assert(keys.has(key), `${key} missing`);
  assertEquals(keys.get("Type"), "Application");
  for (const key of LIST_KEYS) {
    const value = keys.get(key);
    if (value !== undefined) assert(value.endsWith(";"), `${key} must end with ";": ${value}`);
  }
  for (const key of BOOLEAN_KEYS) {
    const value = keys.get(key);
    if (value !== undefined) assert(value === "true" || value === "false", `${key}=${value}`);
  }
  // Only %% and the spec's field codes may follow a %.
  assert(
    !/%[^fFuUick]/.test(keys.get("Exec")!.replaceAll("%%", "")),
    `bad field code in ${keys.get("Exec")}`,
  );
  return keys;
}

Deno.test("deno task install-desktop installs a valid entry and icon in XDG_DATA_HOME", async () => {
  const dataHome = await Deno.makeTempDir({ prefix: "hearth_xdg_" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "install-desktop"],
      cwd: ROOT,
      env: { XDG_DATA_HOME: dataHome },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    assertEquals(code, 0, text.decode(stderr));
    const entryPath = join(dataHome, "applications", "hearth.desktop");
    const iconPath = join(dataHome, "icons", "hicolor", "scalable", "apps", "hearth.svg");
    assert(text.decode(stdout).includes(entryPath), text.decode(stdout));
    const keys = validate(await Deno.readTextFile(entryPath));
    assertEquals(keys.get("Name"), "Hearth");
    assertEquals(keys.get("Icon"), "hearth");
    assertEquals(keys.get("Terminal"), "false");
    // Exec starts Deno on this checkout's main.ts; both exist.
    const [program, ...args] = keys.get("Exec")!.split(" ");
    assertEquals(program, Deno.execPath());
    assertEquals(args, ["run", "-A", join(ROOT, "main.ts")]);
    assert((await Deno.stat(join(ROOT, "main.ts"))).isFile);
    const icon = await Deno.readTextFile(iconPath);
    assert(icon.startsWith("<svg"), "the icon is an SVG");
    assertEquals((await Deno.stat(entryPath)).mode! & 0o777, 0o644);
  } finally {
    await Deno.remove(dataHome, { recursive: true });
  }
});

Deno.test("desktop entry: Exec arguments are quoted and % doubled per the spec", () => {
  assertEquals(quoteExecArgument("/usr/bin/deno"), "/usr/bin/deno");
  assertEquals(quoteExecArgument("/home/a b/main.ts"), '"/home/a b/main.ts"');
  assertEquals(quoteExecArgument('/x/"q"$HOME`\\'), '"/x/\\"q\\"\\$HOME\\`\\\\"');
  assertEquals(quoteExecArgument("/x/100%"), "/x/100%%");
  const keys = validate(desktopEntry(["/opt/my deno/deno", "run", "-A", "/srv/h%/main.ts"]));
  assertEquals(keys.get("Exec"), '"/opt/my deno/deno" run -A /srv/h%%/main.ts');
});

Deno.test("xdgDataHome: XDG_DATA_HOME when absolute, else ~/.local/share", () => {
  const env = (vars: Record<string, string>) => ({ get: (name: string) => vars[name] });
  assertEquals(xdgDataHome(env({ XDG_DATA_HOME: "/x", HOME: "/h" })), "/x");
  assertEquals(xdgDataHome(env({ XDG_DATA_HOME: "rel", HOME: "/h" })), "/h/.local/share");
  assertEquals(xdgDataHome(env({ HOME: "/h" })), "/h/.local/share");
});
