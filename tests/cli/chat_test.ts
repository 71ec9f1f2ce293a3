/**
 * `hearth chat` end to end through a real pseudo-terminal: tmux runs
 * `deno run -A main.ts chat ...`, the test types with `send-keys` and reads the screen
 * with `capture-pane`, polling until text appears (bounded by a deadline; generation
 * can be slow on a busy machine, so the deadline is generous and nothing sleeps a
 * fixed time beyond the poll interval).
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K } from "../models.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEADLINE_MS = 60_000;
const POLL_MS = 100;

/** A chat running in its own tmux server (own socket: never touches a user's tmux). */
class Terminal implements AsyncDisposable {
  readonly dir = Deno.makeTempDirSync({ prefix: "hearth_chat_test_" });
  readonly status = join(this.dir, "status");
  /** The tmux server's socket, inside `dir` so disposing removes it. */
  readonly #socket = join(this.dir, "tmux.sock");

  /** Starts `main.ts chat` with `args` in a 120x40 terminal. */
  async start(args: string[]): Promise<void> {
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    // C-c signals the whole foreground process group, the shell included: `trap :`
    // keeps the shell alive to record the exit status (a handler, unlike an ignored
    // signal, is not inherited by deno).
    const script = [
      "trap : INT",
      `cd ${quote(ROOT)}`,
      [Deno.execPath(), "run", "-A", "main.ts", "chat", ...args].map(quote).join(" "),
      `echo "EXIT=$?" > ${quote(this.status)}`,
    ].join("\n");
    Deno.writeTextFileSync(join(this.dir, "run.sh"), script);
    await this.tmux(
      "new-session",
      "-d",
      "-s",
      "chat",
      "-x",
      "120",
      "-y",
      "40",
      `sh ${join(this.dir, "run.sh")}`,
    );
  }

  async tmux(...args: string[]): Promise<string> {
    const { code, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-S", this.#socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
    return new TextDecoder().decode(stdout);
  }

  /** Types `text` literally, then Enter. */
  async type(text: string): Promise<void> {
    await this.tmux("send-keys", "-t", "chat", "-l", text);
    await this.tmux("send-keys", "-t", "chat", "Enter");
  }

  /** The screen and its scrollback, wrapped lines joined, trailing blanks trimmed. */
  async screen(): Promise<string> {
    return (await this.tmux("capture-pane", "-p", "-J", "-S", "-1000", "-t", "chat")).trimEnd();
  }

  /** Polls the screen until `test` passes; fails with the screen at the deadline. */
  async waitFor(what: string, test: (screen: string) => boolean): Promise<string> {
    const deadline = Date.now() + DEADLINE_MS;
    let screen = "";
    while (Date.now() < deadline) {
      screen = await this.screen();
      if (test(screen)) return screen;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`Timed out waiting for ${what}; screen:\n${screen}`);
  }

  /** Waits for the program to end; returns the shell's `EXIT=<status>` line. */
  async exitStatus(): Promise<string> {
    const deadline = Date.now() + DEADLINE_MS;
    while (Date.now() < deadline) {
      try {
        const text = Deno.readTextFileSync(this.status).trim();
        if (text !== "") return text;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`Timed out waiting for chat to exit; screen:\n${await this.screen()}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
    Deno.removeSync(this.dir, { recursive: true });
  }
}

/** The screen ends with an empty input prompt (capture-pane trims "> " to ">"). */
const atPrompt = (screen: string) => screen.endsWith("\n>");

/** The text after the last line that echoes `input` at the prompt. */
function after(screen: string, input: string): string {
  const at = screen.lastIndexOf(`> ${input}`);
  return at === -1 ? "" : screen.slice(at + input.length + 2);
}

Deno.test("hearth chat answers, shows /stats, saves Markdown and exits 0 on /quit", async () => {
  await using term = new Terminal();
  await term.start(["-m", STORIES_260K, "--temp", "0", "-n", "24"]);
  await term.waitFor("the first prompt", (s) => s.includes("/help") && atPrompt(s));
  await term.type("Once upon a time");
  const screen = await term.waitFor("a reply", (s) => {
    const reply = after(s, "Once upon a time");
    return atPrompt(reply) && reply.replace(/\n>$/, "").trim() !== "";
  });
  assert(!screen.includes("hearth:"), screen);

  await term.type("/stats");
  const stats = await term.waitFor("/stats", (s) => atPrompt(after(s, "/stats")));
  for (
    const text of ["prompt tokens", "cached", "24 generated", "TTFT", "tok/s", "of 2048 tokens"]
  ) {
    assert(after(stats, "/stats").includes(text), `/stats lacks "${text}":\n${stats}`);
  }

  const file = join(term.dir, "chat.md");
  await term.type(`/save ${file}`);
  await term.waitFor("/save", (s) => after(s, "/save").includes("(saved 2 messages"));
  const markdown = Deno.readTextFileSync(file);
  assert(markdown.includes("## User\n\nOnce upon a time"), markdown);
  assert(markdown.includes("## Assistant"), markdown);

  await term.type("/quit");
  assertEquals(await term.exitStatus(), "EXIT=0");
});

Deno.test("hearth chat: Ctrl+C stops a reply and keeps the chat alive", async () => {
  await using term = new Terminal();
  // -n -1 on 2048 tokens: the reply runs until the context is full, long enough to stop.
  await term.start(["-m", STORIES_260K, "--temp", "0", "-n", "-1", "-c", "2048"]);
  await term.waitFor("the first prompt", (s) => s.includes("/help") && atPrompt(s));
  await term.type("Once upon a time");
  await term.waitFor("the reply to stream", (s) => after(s, "Once upon a time").trim() !== "");
  await term.tmux("send-keys", "-t", "chat", "C-c");
  await term.waitFor("the prompt after (stopped)", (s) => atPrompt(after(s, "Once upon a time")));
  assert(after(await term.screen(), "Once upon a time").includes("(stopped)"));

  await term.type("/stats");
  const stats = await term.waitFor("/stats", (s) => atPrompt(after(s, "/stats")));
  assert(after(stats, "/stats").includes("finish_reason abort"), stats);
  await term.type("/quit");
  assertEquals(await term.exitStatus(), "EXIT=0");
});

Deno.test("hearth chat exits 0 on Ctrl+C at the prompt", async () => {
  await using term = new Terminal();
  await term.start(["-m", STORIES_260K]);
  await term.waitFor("the first prompt", (s) => s.includes("/help") && atPrompt(s));
  await term.tmux("send-keys", "-t", "chat", "C-c");
  assertEquals(await term.exitStatus(), "EXIT=0");
});

Deno.test("hearth chat exits 0 on Ctrl+D", async () => {
  await using term = new Terminal();
  await term.start(["-m", STORIES_260K]);
  await term.waitFor("the first prompt", (s) => s.includes("/help") && atPrompt(s));
  await term.tmux("send-keys", "-t", "chat", "C-d");
  assertEquals(await term.exitStatus(), "EXIT=0");
});

Deno.test("hearth chat drops the oldest messages to fit n_ctx, reading piped input", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "main.ts",
      "chat",
      "-m",
      STORIES_260K,
      "--temp",
      "0",
      "-n",
      "100",
      "-c",
      "256",
    ],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("Once upon a time\nTell me more\nAnd then?\n"));
  await writer.close(); // EOF after the last turn: the chat exits 0
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder().decode(stdout);
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  assert(text.includes("(dropped 2 oldest messages to fit n_ctx 256)"), text);
});
