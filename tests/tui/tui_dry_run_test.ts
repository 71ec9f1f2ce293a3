/**
 * `hearth tui --dry-run`: checks the config file and the database without a screen.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";

const assertStringIncludes = (text: string, part: string) =>
  assert(text.includes(part), `expected ${JSON.stringify(part)} in:\n${text}`);
import { openDatabase } from "../../storage/mod.ts";
import { MIGRATIONS } from "../../storage/migrations.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function tui(...args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "tui", ...args],
    cwd: ROOT,
    stdin: "null",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("hearth tui --dry-run migrates the database and prints its counts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const database = `${dir}/other.db`;
    const storage = openDatabase(database);
    const chat = storage.chats.create({ title: "One" });
    storage.messages.add(chat.id, { parent_id: null, role: "user", content: "hi" });
    storage.close();
    await Deno.writeTextFile(`${dir}/tui.json`, JSON.stringify({ layout: "single" }));
    const run = await tui("--dry-run", "--config", `${dir}/tui.json`, "--database", database);
    assertEquals(run.code, 0, run.err);
    assertStringIncludes(run.out, `migrations applied: ${MIGRATIONS.length}`);
    assertStringIncludes(run.out, "chats: 1\n  messages: 1");
    assertStringIncludes(run.out, "layout: single");
    // A bad config file fails before anything opens.
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify({ nope: 1 }));
    const bad = await tui("--dry-run", "--config", `${dir}/bad.json`, "--database", database);
    assertEquals(bad.code, 1);
    assertStringIncludes(bad.err, 'unknown option "nope"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
