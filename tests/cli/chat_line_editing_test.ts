/**
 * `hearth chat` in a real terminal (tmux): arrow keys edit the line and Up recalls the
 * last one, instead of printing `^[[D`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";
import { TmuxSession } from "../tui/_tmux.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("hearth chat edits the line with the arrows and recalls it with Up", async () => {
  const chat = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", "main.ts", "chat", "-n", "4"],
    {
      columns: 100,
      rows: 20,
      env: { NO_COLOR: "1" },
      cwd: ROOT,
    },
  );
  try {
    // capture-pane drops trailing spaces: an empty prompt is a line ">".
    const prompts = (s: string) => s.split("\n").filter((line) => line.startsWith(">"));
    await chat.waitFor("the prompt", (s) => prompts(s).length === 1);
    await chat.type("Once");
    await chat.keys("Left", "Left");
    await chat.type("X");
    const edited = await chat.waitFor("the edited line", (s) => s.includes("> OnXce"));
    assert(!edited.includes("^["), edited);
    await chat.keys("Enter");
    // The reply ends with a fresh prompt; Up brings the sent line back.
    await chat.waitFor("the next prompt", (s) => prompts(s).length === 2);
    await chat.keys("Up");
    await chat.waitFor(
      "the recalled line",
      (s) => prompts(s).filter((l) => l === "> OnXce").length === 2,
    );
    await chat.keys("C-u", "C-d");
    await waitFor("hearth chat to exit", () => !chat.running());
  } finally {
    await chat.kill();
  }
});
