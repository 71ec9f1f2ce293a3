/**
 * One HTTP/1.1 request over a plain TCP connection, so a test can send headers
 * fetch() will not (Host) and read the status, headers and body.
 *
 * @module
 */

/** A raw response. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** Sends `method path` with exactly `headers` (add Host yourself) and reads to the close. */
export async function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    if (body !== "") lines.push(`content-length: ${new TextEncoder().encode(body).length}`);
    await conn.write(
      new TextEncoder().encode(`${lines.join("\r\n")}\r\nconnection: close\r\n\r\n${body}`),
    );
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      chunks.push(buffer.slice(0, n));
    }
    const text = new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
    const [head, ...rest] = text.split("\r\n\r\n");
    const [statusLine, ...headerLines] = head.split("\r\n");
    return {
      status: Number(/^HTTP\/1\.1 (\d+)/.exec(statusLine)?.[1] ?? 0),
      headers: Object.fromEntries(headerLines.map((line) => {
        const at = line.indexOf(":");
        return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
      })),
      body: rest.join("\r\n\r\n"),
    };
  } finally {
    conn.close();
  }
}
