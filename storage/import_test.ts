import { assertEquals, assertThrows } from "../tests/assert.ts";
import { ChatImportError } from "./errors.ts";
import { parseImport, parseJsonl, parseOpenAI } from "./import.ts";

const HEADER = '{"type":"chat","title":"T"}';
const jsonl = (...lines: string[]) => lines.join("\n");

function jsonlError(text: string, includes: string): ChatImportError {
  return assertThrows(() => parseJsonl(text), ChatImportError, includes);
}

Deno.test("parseJsonl() reads a header and a chain of messages", () => {
  const parsed = parseJsonl(jsonl(
    HEADER,
    '{"type":"message","role":"user","content":"hi"}',
    '{"type":"message","role":"assistant","content":"yo","state":"streaming"}',
    "",
  ));
  assertEquals(parsed.chat, { title: "T" });
  assertEquals(parsed.messages.map((m) => [m.parent, m.fields.role, m.fields.state]), [
    [null, "user", "complete"],
    [0, "assistant", "incomplete"],
  ]);
  assertEquals(parsed.activeLeaf, 1);
});

Deno.test("parseJsonl() follows ids and parent_id for trees and active_leaf_id", () => {
  const parsed = parseJsonl(jsonl(
    '{"type":"chat","active_leaf_id":"a"}',
    '{"type":"message","id":"q","parent_id":null,"role":"user","content":"q"}',
    '{"type":"message","id":"a","parent_id":"q","role":"assistant","content":"a"}',
    '{"type":"message","id":"b","parent_id":"q","role":"assistant","content":"b"}',
  ));
  assertEquals(parsed.messages.map((m) => m.parent), [null, 0, 0]);
  assertEquals(parsed.activeLeaf, 1);
});

Deno.test("parseJsonl() names the line and field of the first problem", () => {
  assertEquals(jsonlError("", "the file is empty").location, "");
  jsonlError("\n\n  \n", "the file is empty");
  const bad = jsonlError(
    jsonl(HEADER, '{"type":"message","role":"user","content":"a"}', '{"type": "message", role}'),
    "Cannot import JSONL: line 3: invalid JSON",
  );
  assertEquals(bad.location, "line 3");
  const role = jsonlError(
    jsonl(HEADER, '{"type":"message","role":"robot","content":"a"}'),
    'line 2: invalid field "role": must be one of "system", "user", "assistant", got "robot"',
  );
  assertEquals(role.field, "role");
  assertEquals(
    jsonlError(
      jsonl(HEADER, '{"type":"message","role":"user"}'),
      'line 2: field "content" is missing',
    )
      .field,
    "content",
  );
  jsonlError(jsonl(HEADER, '{"type":"message","content":"x"}'), 'line 2: field "role" is missing');
  jsonlError('{"type":"message","role":"user","content":"x"}', 'line 1: invalid field "type"');
  jsonlError(jsonl(HEADER, '{"role":"user","content":"x"}'), 'line 2: invalid field "type"');
  jsonlError(jsonl(HEADER, "[1]"), 'line 2: invalid field "message": must be an object');
  jsonlError(
    jsonl(HEADER, '{"type":"message","role":"user","content":"x","parent_id":"zz"}'),
    'line 2: invalid field "parent_id": "zz" names no earlier message',
  );
  jsonlError(
    jsonl(
      HEADER,
      '{"type":"message","id":"a","role":"user","content":"x"}',
      '{"type":"message","id":"a","role":"user","content":"y"}',
    ),
    'line 3: invalid field "id": "a" is used twice',
  );
  jsonlError(
    jsonl(HEADER, '{"type":"message","role":"user","content":"x","sampling":{"top_p":7}}'),
    'line 2: invalid field "sampling.top_p"',
  );
  jsonlError(jsonl('{"type":"chat","version":2}'), 'line 1: invalid field "version"');
  jsonlError(jsonl('{"type":"chat","colour":1}'), 'line 1: invalid field "colour": unknown field');
  jsonlError(jsonl('{"type":"chat","active_leaf_id":"x"}'), '"active_leaf_id": "x" names no');
  jsonlError(jsonl("", HEADER), "line 1: the line is empty");
});

Deno.test("parseOpenAI() reads messages, the system prompt and text parts", () => {
  const parsed = parseOpenAI(JSON.stringify({
    model: "gpt-x",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Hello" }, { type: "text", text: "there" }] },
      { role: "assistant", content: "Hi!" },
      { role: "developer", content: "Now in French." },
    ],
  }));
  assertEquals(parsed.chat, { system_prompt: "Be brief.", title: "Hello" });
  assertEquals(parsed.messages.map((m) => [m.parent, m.fields.role, m.fields.content]), [
    [null, "user", "Hello\nthere"],
    [0, "assistant", "Hi!"],
    [1, "system", "Now in French."],
  ]);
  assertEquals(parsed.activeLeaf, 2);
  assertEquals(parseOpenAI('[{"role":"user","content":"x"}]').messages.length, 1);
});

Deno.test("parseOpenAI() names the index and field of the first problem", () => {
  const error = (text: string, includes: string) =>
    assertThrows(() => parseOpenAI(text), ChatImportError, includes);
  error("", "Cannot import OpenAI messages: the file is empty");
  error("{messages", "invalid JSON");
  error("{}", 'field "messages" is missing');
  error('{"messages":{}}', 'field "messages" must be an array');
  error('{"messages":[]}', 'field "messages" is empty');
  const role = error(
    '{"messages":[{"role":"user","content":"a"},{"role":"tool","content":"b"}]}',
    'messages[1]: invalid field "role"',
  );
  assertEquals([role.location, role.field], ["messages[1]", "role"]);
  error('{"messages":[{"role":"user"}]}', 'messages[0]: field "content" is missing');
  error('{"messages":[{"content":"x"}]}', 'messages[0]: field "role" is missing');
  error(
    '{"messages":[{"role":"assistant","content":null}]}',
    'messages[0]: invalid field "content"',
  );
  error(
    '{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}',
    'messages[0]: invalid field "content[0].type"',
  );
  error('{"messages":[3]}', 'messages[0]: invalid field "message"');
});

Deno.test("parseImport() refuses unknown formats", () => {
  assertThrows(() => parseImport("x", "csv" as never), TypeError, '"csv"');
});
