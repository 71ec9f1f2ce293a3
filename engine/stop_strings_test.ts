import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { StopMatcher } from "./stop_strings.ts";

/** Pushes every piece and joins what was emitted, as a generation loop would. */
function run(stops: string[], pieces: string[]) {
  const matcher = new StopMatcher(stops);
  let out = "";
  for (const piece of pieces) {
    const r = matcher.push(piece);
    out += r.text;
    if (r.stopped) return { out, stop: r.stop, rest: matcher.flush() };
  }
  return { out: out + matcher.flush(), stop: undefined, rest: "" };
}

Deno.test("StopMatcher.push() matches a stop string spread over three pieces", () => {
  const m = new StopMatcher(["<|end|>"]);
  deepStrictEqual(m.push("Hello <|"), { text: "Hello ", stopped: false });
  deepStrictEqual(m.push("en"), { text: "", stopped: false });
  deepStrictEqual(m.push("d|> tail"), { text: "", stopped: true, stop: "<|end|>" });
});

Deno.test("StopMatcher.push() stops at the very start without emitting", () => {
  const m = new StopMatcher(["###"]);
  deepStrictEqual(m.push("###"), { text: "", stopped: true, stop: "###" });
  strictEqual(m.flush(), "");
});

Deno.test("StopMatcher.push() emits a false partial match later, in order", () => {
  const m = new StopMatcher(["</s>"]);
  deepStrictEqual(m.push("a </"), { text: "a ", stopped: false });
  deepStrictEqual(m.push("b> c"), { text: "</b> c", stopped: false });
  deepStrictEqual(run(["</s>"], ["x<", "/", "t", "<", "/s", ">"]), {
    out: "x</t",
    stop: "</s>",
    rest: "",
  });
});

Deno.test("StopMatcher.push() re-holds the tail of a failed partial match", () => {
  // "aaa" is not a prefix of "aab", but its tail "aa" is, so only one "a" is released.
  const m = new StopMatcher(["aab"]);
  deepStrictEqual(m.push("aa"), { text: "", stopped: false });
  deepStrictEqual(m.push("a"), { text: "a", stopped: false });
  deepStrictEqual(m.push("b!"), { text: "", stopped: true, stop: "aab" });
});

Deno.test("StopMatcher.push() picks the earliest start among overlapping stops", () => {
  deepStrictEqual(run(["ab", "b"], ["a", "b"]), { out: "", stop: "ab", rest: "" });
  deepStrictEqual(run(["ab", "b"], ["cab"]), { out: "c", stop: "ab", rest: "" });
  deepStrictEqual(run(["ab", "b"], ["xb"]), { out: "x", stop: "b", rest: "" });
  deepStrictEqual(run(["b", "ab"], ["zab"]), { out: "z", stop: "ab", rest: "" });
});

Deno.test("StopMatcher.push() breaks equal starts by list order", () => {
  deepStrictEqual(run(["abc", "ab"], ["abc"]), { out: "", stop: "abc", rest: "" });
  deepStrictEqual(run(["ab", "abc"], ["abc"]), { out: "", stop: "ab", rest: "" });
});

Deno.test("StopMatcher.push() matches multi-byte characters and emoji", () => {
  deepStrictEqual(run(["🛑end"], ["ok ", "🛑", "en", "d"]), {
    out: "ok ",
    stop: "🛑end",
    rest: "",
  });
  deepStrictEqual(run(["終わり"], ["これで終", "わり"]), {
    out: "これで",
    stop: "終わり",
    rest: "",
  });
  // A surrogate pair split across pieces still matches.
  deepStrictEqual(run(["🛑"], ["a\uD83D", "\uDED1b"]), { out: "a", stop: "🛑", rest: "" });
  // 😀 shares its high surrogate with 🛑; the held half is released intact.
  deepStrictEqual(run(["🛑"], ["a\uD83D", "\uDE00b"]), { out: "a😀b", stop: undefined, rest: "" });
});

Deno.test("StopMatcher.flush() returns the held-back text", () => {
  const m = new StopMatcher(["</s>"]);
  deepStrictEqual(m.push("done </"), { text: "done ", stopped: false });
  strictEqual(m.flush(), "</");
  strictEqual(m.flush(), "");
});

Deno.test("StopMatcher.push() emits nothing after a stop", () => {
  const m = new StopMatcher(["STOP"]);
  deepStrictEqual(m.push("aSTOPb"), { text: "a", stopped: true, stop: "STOP" });
  deepStrictEqual(m.push("more text"), { text: "", stopped: true, stop: "STOP" });
  strictEqual(m.flush(), "");
});

Deno.test("StopMatcher.push() passes text through unchanged without stops", () => {
  const m = new StopMatcher([]);
  deepStrictEqual(m.push("</s>"), { text: "</s>", stopped: false });
  deepStrictEqual(m.push(""), { text: "", stopped: false });
  strictEqual(m.flush(), "");
});

Deno.test("new StopMatcher() rejects empty and non-string stops", () => {
  throws(() => new StopMatcher(["ok", ""]), { name: "RangeError", message: /^stop\[1\]/ });
  throws(() => new StopMatcher([1 as unknown as string]), { name: "TypeError", message: /stop/ });
  throws(() => new StopMatcher("</s>" as unknown as string[]), {
    name: "TypeError",
    message: /^stop must be an array/,
  });
});
