import { assertEquals, assertThrows } from "../tests/assert.ts";
import { extractLoraFlags } from "./lora_flags.ts";
import { loadConfig } from "./config.ts";

Deno.test("extractLoraFlags() reads --lora and --lora-scaled in both llama.cpp spellings", () => {
  assertEquals(
    extractLoraFlags([
      "--lora",
      "a.gguf",
      "--lora-scaled",
      "b.gguf",
      "0.5",
      "-p",
      "Hi",
      "--lora=c.gguf,d.gguf",
      "--lora-scaled",
      "e.gguf:2,f:g.gguf:-1",
    ]),
    {
      loras: [
        { path: "a.gguf", scale: 1 },
        { path: "b.gguf", scale: 0.5 },
        { path: "c.gguf", scale: 1 },
        { path: "d.gguf", scale: 1 },
        { path: "e.gguf", scale: 2 },
        { path: "f:g.gguf", scale: -1 },
      ],
      rest: ["-p", "Hi"],
    },
  );
  assertThrows(() => extractLoraFlags(["--lora"]), TypeError, "needs a file");
  assertThrows(() => extractLoraFlags(["--lora-scaled", "a.gguf"]), TypeError, "FILE SCALE");
  assertThrows(() => extractLoraFlags(["--lora-scaled", "a.gguf:x"]), RangeError, '"x"');
});

Deno.test("loadConfig() reads the LoRA flags of generate and chat", () => {
  const config = loadConfig(
    "generate",
    ["-p", "Hi", "--lora-scaled", "a.gguf", "0.25"],
    () => undefined,
  );
  assertEquals(config.loras, [{ path: "a.gguf", scale: 0.25 }]);
  assertEquals(loadConfig("chat", [], () => undefined).loras, []);
});
