import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { TempDatabase } from "../../storage/_testing.ts";
import { chunk } from "./_writer.ts";

const WRITER = fileURLToPath(new URL("./_writer.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Commits to see before the kill. */
const COMMITS = 300;

/** Yields stdout lines as they arrive. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of stream) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
}

Deno.test("a reply streamed by a process killed with SIGKILL keeps every committed write", async () => {
  using temp = new TempDatabase();
  temp.open().close(); // create and migrate the file first, as the app would
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, temp.path],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();

  let messageId = "";
  let committed = 0;
  let killed = false;
  for await (const line of lines(child.stdout)) {
    if (line.startsWith("message ")) messageId = line.slice("message ".length);
    else committed = Math.max(committed, Number(line));
    if (committed >= COMMITS && !killed) {
      child.kill("SIGKILL"); // mid-stream: it is appending as fast as it can
      killed = true;
    }
  } // EOF: the child is gone; lines read after the kill were committed too
  const status = await child.status;
  assert(killed, `the writer stopped after ${committed} commits: ${await stderr}`);
  assertEquals(status.signal, "SIGKILL");
  await stderr;
  assert(messageId !== "");

  // The file is sound, before storage touches it.
  {
    using db = new DatabaseSync(temp.path);
    const rows = db.prepare("PRAGMA integrity_check").all();
    assertEquals(rows.map((row) => row.integrity_check), ["ok"]);
  }

  const storage = temp.open({ recoverInterrupted: false });
  const reply = storage.messages.get(messageId);
  assert(reply);
  assertEquals(reply.state, "streaming");
  // Every printed commit is there, and the text is exactly a whole number of appends.
  let appends = 0;
  let expected = "";
  while (expected.length < reply.content.length) expected += chunk(appends++);
  assertEquals(reply.content, expected);
  assert(appends >= committed, `${appends} appends stored, ${committed} reported committed`);

  assertEquals(storage.recoverInterrupted(), 1);
  const recovered = storage.messages.get(messageId);
  assertEquals(recovered?.state, "incomplete");
  assertEquals(recovered?.content, reply.content);
  assertEquals(storage.messages.activeBranch(reply.chat_id).map((m) => m.id).at(-1), messageId);
});
