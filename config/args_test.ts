import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import {
  convertValue,
  expandArgs,
  formatOptions,
  type OptionSpec,
  parseFlags,
  readOptions,
  snakeCase,
  splitCommand,
} from "./args.ts";

const RUN = ["generate"] as const;
const SPECS: OptionSpec[] = [
  {
    key: "json",
    flags: ["--json"],
    type: "boolean",
    default: false,
    description: "json",
    commands: RUN,
  },
  {
    key: "nPredict",
    flags: ["-n", "--n-predict"],
    type: "int",
    valueName: "N",
    default: -1,
    description: "tokens",
    commands: RUN,
    check: { ok: (v) => v >= -1, expect: "an integer >= -1" },
  },
  {
    key: "nGpuLayers",
    flags: ["-ngl", "--n-gpu-layers"],
    type: "int",
    default: -1,
    description: "layers",
    commands: RUN,
  },
  {
    key: "temperature",
    flags: ["--temp"],
    type: "number",
    default: 0.8,
    description: "temp",
    unit: "none",
    commands: RUN,
  },
  {
    key: "logLevel",
    flags: ["--log-level"],
    env: "HEARTH_LOG_LEVEL",
    type: "string",
    choices: ["none", "info"],
    default: "none",
    description: "log",
    commands: RUN,
  },
  {
    key: "prompt",
    flags: ["-p", "--prompt"],
    type: "string",
    default: undefined,
    description: "prompt",
    commands: RUN,
  },
];

Deno.test("splitCommand() takes a known subcommand and defaults to start", () => {
  assertEquals(splitCommand(["generate", "-p", "x"]), { command: "generate", rest: ["-p", "x"] });
  assertEquals(splitCommand([]), { command: "start", rest: [] });
  assertEquals(splitCommand(["-m", "a.gguf"]), { command: "start", rest: ["-m", "a.gguf"] });
  assertThrows(() => splitCommand(["server"]), TypeError, 'Unknown command "server"');
});

Deno.test("expandArgs() maps llama.cpp's multi-letter short flags to long ones", () => {
  assertEquals(expandArgs(SPECS, ["-ngl", "99"]), ["--n-gpu-layers=99"]);
  assertEquals(expandArgs(SPECS, ["-ngl=5", "--json"]), ["--n-gpu-layers=5", "--json"]);
});

Deno.test("expandArgs() gives a value flag the next argument even when it starts with -", () => {
  assertEquals(expandArgs(SPECS, ["-n", "-1", "-p", "--json"]), [
    "--n-predict=-1",
    "--prompt=--json",
  ]);
});

Deno.test("expandArgs() rejects an unknown flag, naming it", () => {
  assertThrows(() => expandArgs(SPECS, ["--bogus"], "hearth x --help"), TypeError, '"--bogus"');
  assertThrows(() => expandArgs(SPECS, ["-ngl5"]), TypeError, '"-ngl5"');
});

Deno.test("parseFlags() returns raw values by key; the last repeat wins", () => {
  const raw = parseFlags(SPECS, ["--temp", "0", "-n", "16", "--json", "-n", "32"]);
  assertEquals(Object.fromEntries(raw), { temperature: "0", nPredict: "32", json: true });
});

Deno.test("parseFlags() rejects a missing value and a stray argument", () => {
  assertThrows(() => parseFlags(SPECS, ["--temp"]), TypeError, "--temp");
  assertThrows(() => parseFlags(SPECS, ["stray"], "hearth x --help"), TypeError, '"stray"');
  assertThrows(() => parseFlags(SPECS, ["--json=1"]), TypeError, "--json");
});

Deno.test("convertValue() converts and range-checks, naming the source and option", () => {
  const [, nPredict, , temperature, logLevel] = SPECS;
  assertEquals(convertValue(nPredict, "-1", "--n-predict"), -1);
  assertEquals(convertValue(temperature, "0.25", "--temp"), 0.25);
  assertEquals(convertValue(logLevel, "info", "HEARTH_LOG_LEVEL"), "info");
  assertThrows(
    () => convertValue(nPredict, "-2", "--n-predict"),
    RangeError,
    "n_predict must be an integer >= -1",
  );
  assertThrows(() => convertValue(nPredict, "1.5", "--n-predict"), RangeError, "--n-predict");
  assertThrows(() => convertValue(temperature, "abc", "--temp"), RangeError, "temperature");
  assertThrows(() => convertValue(temperature, "Infinity", "--temp"), RangeError, "temperature");
  assertThrows(() => convertValue(temperature, "", "--temp"), RangeError, "temperature");
  assertThrows(
    () => convertValue(logLevel, "loud", "HEARTH_LOG_LEVEL"),
    RangeError,
    "HEARTH_LOG_LEVEL",
  );
});

Deno.test("snakeCase() gives llama.cpp's spelling", () => {
  assertEquals(snakeCase("nGpuLayers"), "n_gpu_layers");
  assertEquals(snakeCase("temperature"), "temperature");
});

Deno.test("formatOptions() lists flags, value names, defaults and variables", () => {
  const text = formatOptions(SPECS);
  assert(text.includes("-n, --n-predict N"), text);
  assert(text.includes("default: -1"), text);
  assert(text.includes("env: HEARTH_LOG_LEVEL"), text);
  assert(text.includes("one of: none, info"), text);
  assert(!text.includes("default: false"), "boolean switches show no default");
});

const LISTS: OptionSpec[] = [
  {
    key: "cors",
    flags: ["--cors"],
    type: "string",
    multiple: true,
    default: undefined,
    description: "origins",
    commands: RUN,
  },
  {
    key: "flashAttn",
    flags: ["-fa", "--flash-attn"],
    type: "string",
    read: {
      parse: (text) => text === "auto" ? "auto" : text === "on" ? true : undefined,
      expect: "on or auto",
    },
    default: "auto",
    description: "flash attention",
    commands: RUN,
  },
  {
    key: "logLevel",
    flags: ["--log-level"],
    env: "HEARTH_LOG_LEVEL",
    type: "string",
    choices: ["none", "info"],
    default: "none",
    description: "log",
    commands: RUN,
  },
  {
    key: "help",
    flags: ["-h", "--help"],
    type: "boolean",
    default: false,
    description: "help",
    commands: RUN,
  },
];

Deno.test("readOptions() converts flags over variables over defaults, with positionals", () => {
  const env = (name: string) => name === "HEARTH_LOG_LEVEL" ? "info" : undefined;
  const read = readOptions(LISTS, ["rm", "--cors", "a", "-fa", "on", "--cors=b", "x"], {
    env,
    positionals: true,
  });
  assertEquals(read, {
    values: { cors: ["a", "b"], flashAttn: true, logLevel: "info", help: false },
    positionals: ["rm", "x"],
    help: false,
  });
  assertEquals(readOptions(LISTS, ["--log-level", "none"], { env }).values.logLevel, "none");
  assertEquals(readOptions(LISTS, ["-h", "-fa", "bad"]).help, true);
});

Deno.test("readOptions() names the flag and option of a value its reader refuses", () => {
  assertThrows(
    () => readOptions(LISTS, ["-fa", "maybe"]),
    RangeError,
    'Cannot use --flash-attn "maybe": flash_attn must be on or auto',
  );
  assertThrows(() => readOptions(LISTS, ["stray"], { helpHint: "x --help" }), TypeError, "stray");
  assertThrows(
    () => readOptions(LISTS, ["--nope"], { helpHint: "x --help" }),
    TypeError,
    "x --help",
  );
});

Deno.test("formatOptions() wraps long rows at 100 columns and puts wide flags on their own line", () => {
  const text = formatOptions([
    { ...LISTS[0], description: "word ".repeat(40).trim() },
    {
      ...LISTS[2],
      flags: ["-l", "--a-very-long-flag-name", "--another-long-name"],
      valueName: "LEVEL",
    },
  ]);
  const lines = text.split("\n");
  assert(lines.every((line) => line.length <= 100), text);
  assert(
    lines.some((line) => line.trim() === "-l, --a-very-long-flag-name, --another-long-name LEVEL"),
    text,
  );
  assertEquals(text.replace(/\s+/g, " ").includes("word ".repeat(40).trim()), true);
});
