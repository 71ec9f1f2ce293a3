/**
 * The child process of crash_test.ts: opens the database given as the only argument,
 * starts a streaming reply and appends to it forever, one small committed write at a
 * time. Protocol on stdout, one line each: "message <id>" once, then after every
 * commit the number of appends committed so far. The test kills it with SIGKILL.
 *
 * @module
 */
import { openDatabase } from "../../storage/mod.ts";

/** The text of append number `i` (0-based); crash_test.ts rebuilds the reply from it. */
export const chunk = (i: number): string => `t${i} `;

// An upper bound so an orphaned writer (its test died) stops on its own; a closed
// stdout also stops it, since writeSync then throws.
const MAX_APPENDS = 1_000_000;

if (import.meta.main) {
  const [path] = Deno.args;
  const storage = openDatabase(path, { recoverInterrupted: false });
  const chat = storage.chats.create({ title: "Crash test" });
  const question = storage.messages.add(chat.id, {
    parent_id: null,
    role: "user",
    content: "Tell me a long story",
  });
  const reply = storage.messages.add(chat.id, {
    parent_id: question.id,
    role: "assistant",
    state: "streaming",
  });
  const encoder = new TextEncoder();
  const say = (line: string) => {
    const bytes = encoder.encode(`${line}\n`);
    let written = 0;
    while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
  };
  say(`message ${reply.id}`);
  for (let i = 0; i < MAX_APPENDS; i++) {
    storage.messages.append(reply.id, chunk(i)); // autocommitted when it returns
    say(String(i + 1));
  }
  storage.close();
}
