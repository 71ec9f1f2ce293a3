/**
 * `hearth providers` and `generate -m NAME:MODEL` end to end: `deno run -A main.ts ...`
 * as child processes with HEARTH_HOME in a temp folder, against the fake provider.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";

const includes = (text: string, part: string) => assert(text.includes(part), text);
import { startFakeProvider } from "../fakes/fake_provider.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KEY = "sk-cli-key-16180339";

/** Runs main.ts with `args` (and `stdin`) in config folder `home`. */
async function hearth(
  home: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    env: { HEARTH_HOME: home, NO_COLOR: "1" },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("hearth providers add/list/test/rm, and generate -m NAME:MODEL with a retry", async () => {
  const home = await Deno.makeTempDir();
  const fake = startFakeProvider({ keys: [KEY] });
  try {
    const added = await hearth(home, [
      "providers",
      "add",
      "fake",
      "--base-url",
      fake.baseUrl,
      "--api-key-stdin",
    ], `${KEY}\n`);
    assertEquals(added.code, 0, added.stderr);
    const listed = await hearth(home, ["providers", "list", "--json"]);
    assertEquals(listed.code, 0, listed.stderr);
    assertEquals(JSON.parse(listed.stdout)[0].key_source, "file");
    assert(!(added.stdout + listed.stdout).includes(KEY), "the key was printed");
    const tested = await hearth(home, ["providers", "test", "fake"]);
    assertEquals(tested.code, 0, tested.stderr);
    includes(tested.stdout, "2 models");

    fake.faults.push({ kind: "status", status: 500 });
    const run = await hearth(home, ["generate", "-m", "fake:fake-small", "-p", "Hi", "--json"]);
    assertEquals(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assertEquals([json.text, json.finish_reason], [fake.reply("fake-small"), "stop"]);
    assertEquals(fake.requests.map((r) => r.status), [500, 200]);

    const removed = await hearth(home, ["providers", "rm", "fake"]);
    assertEquals(removed.code, 0, removed.stderr);
    assertEquals(JSON.parse((await hearth(home, ["providers", "list", "--json"])).stdout), []);
  } finally {
    await fake.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("hearth generate on a provider that refuses the key: one line, no key", async () => {
  const home = await Deno.makeTempDir();
  const fake = startFakeProvider({ keys: [KEY] });
  const wrong = "sk-wrong-cli-14142135";
  try {
    const added = await hearth(home, [
      "providers",
      "add",
      "fake",
      "--base-url",
      fake.baseUrl,
      "--api-key-env",
      "FAKE_PROVIDER_KEY",
    ]);
    assertEquals(added.code, 0, added.stderr);
    const child = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "generate", "-m", "fake:fake-small", "-p", "Hi"],
      cwd: ROOT,
      env: { HEARTH_HOME: home, NO_COLOR: "1", FAKE_PROVIDER_KEY: wrong },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(child.stderr);
    assertEquals(child.code, 1, stderr);
    assertEquals(stderr.trim().split("\n").length, 1, stderr);
    includes(stderr, "refused the API key");
    assert(!stderr.includes(wrong), stderr);
    assertEquals(fake.requests[0].authorization, `Bearer ${wrong}`);
  } finally {
    await fake.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("hearth chat -m NAME:MODEL chats on the provider, keeping the conversation", async () => {
  const home = await Deno.makeTempDir();
  const fake = startFakeProvider();
  try {
    const added = await hearth(home, ["providers", "add", "fake", "--base-url", fake.baseUrl]);
    assertEquals(added.code, 0, added.stderr);
    const run = await hearth(home, ["chat", "-m", "fake:fake-large"], "Hello\nAgain\n/quit\n");
    assertEquals(run.code, 0, run.stderr);
    includes(run.stdout, "cloud");
    assertEquals(run.stdout.split(fake.reply("fake-large")).length, 3, run.stdout);
    assertEquals(fake.requests[1].body.messages, [
      { role: "user", content: "Hello" },
      { role: "assistant", content: fake.reply("fake-large") },
      { role: "user", content: "Again" },
    ]);
  } finally {
    await fake.close();
    await Deno.remove(home, { recursive: true });
  }
});
