import { assert } from "../assert.ts";
import { fileURLToPath } from "node:url";

Deno.test("deno task repl loads the scripting API", async () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "repl"],
    cwd: root,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode([
    "using model = await loadModel(BUNDLED_MODEL)",
    "const ctx = await model.createContext({ nCtx: 256 })",
    'await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).text()',
    "model.dispose()",
    "close()",
    "",
  ].join("\n")));
  await writer.close();
  const { code, stdout } = await child.output();
  const text = new TextDecoder().decode(stdout);
  assert(code === 0, `exit ${code}: ${text}`);
  assert(text.includes('", there was a little girl"'), text);
});
