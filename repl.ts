/**
 * Loaded by `deno task repl`: puts the scripting API (mod.ts) in scope, plus the path
 * of the bundled model.
 *
 * @module
 */
import * as hearth from "./mod.ts";
import { fileURLToPath } from "node:url";

const globals = globalThis as Record<string, unknown>;
Object.assign(globals, hearth, {
  hearth,
  BUNDLED_MODEL: fileURLToPath(new URL("./models/stories260K.gguf", import.meta.url)),
});
console.log(
  "Hearth scripting API loaded (see mod.ts). Try:\n" +
    "  using model = await loadModel(BUNDLED_MODEL)\n" +
    "  using ctx = await model.createContext({ nCtx: 2048 })\n" +
    '  await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 32 }).text()',
);
