import { assertEquals, assertThrows } from "../tests/assert.ts";
import { HeadTooLargeError, MAX_REQUEST_LINE_BYTES, RequestFramer } from "./request_framing.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (parts: Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p)).join("");

/** Feeds `input` one byte at a time; returns what was passed on and the heads counted. */
function byteByByte(framer: RequestFramer, input: string): [string, number] {
  let out = "";
  let heads = 0;
  for (const byte of bytes(input)) {
    const framed = framer.push(Uint8Array.of(byte));
    out += text(framed.forward);
    heads += framed.heads;
  }
  return [out, heads];
}

Deno.test("RequestFramer.push() holds a head until complete, then adds the header line", () => {
  const framer = new RequestFramer("x-id: 7");
  assertEquals(framer.push(bytes("GET / HTTP/1.1\r\nhost: a\r\n")).forward, []);
  assertEquals(framer.headBytes, 25);
  const framed = framer.push(bytes("\r\nGET /b HTTP/1.1\r\n\r\n"));
  assertEquals(framed.heads, 2);
  assertEquals(
    text(framed.forward),
    "GET / HTTP/1.1\r\nx-id: 7\r\nhost: a\r\n\r\nGET /b HTTP/1.1\r\nx-id: 7\r\n\r\n",
  );
  assertEquals([framer.phase, framer.headBytes], ["head", 0]);
});

Deno.test("RequestFramer.push() follows Content-Length and chunked bodies, byte by byte", () => {
  const framer = new RequestFramer("x-id: 1");
  const length = "POST /a HTTP/1.1\r\ncontent-length: 5\r\n\r\nhello";
  const chunked = "POST /b HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n" +
    "3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\ntrailer: x\r\n\r\n";
  const [out, heads] = byteByByte(framer, length + chunked + "GET /c HTTP/1.1\r\n\r\n");
  assertEquals(heads, 3);
  assertEquals(out.replaceAll("x-id: 1\r\n", ""), length + chunked + "GET /c HTTP/1.1\r\n\r\n");
  assertEquals(framer.phase, "head");
});

Deno.test("RequestFramer.push() passes a body it cannot frame on unframed", () => {
  const framer = new RequestFramer("x-id: 1");
  framer.push(bytes("POST / HTTP/1.1\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\n"));
  assertEquals(framer.phase, "opaque");
});

Deno.test("RequestFramer.push() refuses a long request line with 414", () => {
  const framer = new RequestFramer("x-id: 1");
  const error = assertThrows(
    () => framer.push(bytes(`GET /${"a".repeat(MAX_REQUEST_LINE_BYTES)}`)),
    HeadTooLargeError,
  );
  assertEquals(error.status, 414);
});
