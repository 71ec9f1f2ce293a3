/**
 * Sends one HTTP/1.1 request over a plain TCP connection, so a test can set headers
 * fetch() will not (Host), and returns the status code.
 */
export async function rawStatus(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await conn.write(
      new TextEncoder().encode(`${lines.join("\r\n")}\r\nconnection: close\r\n\r\n`),
    );
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    return Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}
