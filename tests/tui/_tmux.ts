/**
 * A program run in a detached tmux session, as a user's terminal: keys in (`send-keys`),
 * the screen out (`capture-pane -p`), resize, and closing the terminal (`kill-session`,
 * which hangs the program up).
 *
 * @module
 */
import { assert } from "../assert.ts";

async function tmux(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("tmux", { args }).output();
  const text = new TextDecoder().decode(stdout);
  assert(code === 0, `tmux ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  return text;
}

/** A tmux session running one command. */
export class TmuxSession {
  private constructor(readonly name: string, readonly pid: number) {}

  /** Starts `command` (argv) in a new `columns`x`rows` session with `env` set. */
  static async start(
    command: string[],
    options: { columns: number; rows: number; env: Record<string, string>; cwd: string },
  ): Promise<TmuxSession> {
    const name = `hearth-test-${crypto.randomUUID().slice(0, 8)}`;
    const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
    const quoted = [...command].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
    const pid = await tmux(
      "new-session",
      "-d",
      "-P",
      "-F",
      "#{pane_pid}",
      "-s",
      name,
      "-x",
      String(options.columns),
      "-y",
      String(options.rows),
      "-c",
      options.cwd,
      // exec: the pane's process is the program itself, so its pid is the program's. Without
      // CI: with CI set, chalk's terminal detection (supports-color) turns every style off,
      // inverse and bold too, which no user's terminal does.
      `exec env -u CI ${env.map((e) => `'${e}'`).join(" ")} ${quoted}`,
    );
    return new TmuxSession(name, Number(pid.trim()));
  }

  /** The screen as text, one line per row. */
  capture(): Promise<string> {
    return tmux("capture-pane", "-p", "-t", this.name);
  }

  /** The screen with its styles, as the escape sequences tmux keeps for them. */
  captureStyled(): Promise<string> {
    return tmux("capture-pane", "-p", "-e", "-t", this.name);
  }

  /** Sends keys in tmux's spelling ("Enter", "Escape", "C-p", "Tab") or literal text. */
  async keys(...keys: string[]): Promise<void> {
    await tmux("send-keys", "-t", this.name, ...keys);
  }

  /** Types `text` literally (no key names). */
  async type(text: string): Promise<void> {
    await tmux("send-keys", "-t", this.name, "-l", "--", text);
  }

  /** Resizes the terminal. */
  async resize(columns: number, rows: number): Promise<void> {
    await tmux("resize-window", "-t", this.name, "-x", String(columns), "-y", String(rows));
  }

  /** Polls the screen every 50 ms until `check` holds; returns that screen. */
  async waitFor(what: string, check: (screen: string) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    while (Date.now() < deadline) {
      screen = await this.capture();
      if (check(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`Timed out waiting for ${what}; the screen:\n${screen}`);
  }

  /** Closes the terminal: the program gets SIGHUP. */
  async kill(): Promise<void> {
    await tmux("kill-session", "-t", this.name).catch(() => "");
  }

  /** Whether the program still runs. */
  running(): boolean {
    try {
      Deno.kill(this.pid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  }
}
