/**
 * `POST /api/instance/activate`, the route a second start of the app calls: only the
 * token from the data folder's instance.json opens it (not the launch secret), and
 * neither a web page (Origin) nor a rebound host name (Host) reaches it.
 */
import { assertEquals } from "../assert.ts";
import { startApp } from "../../cli/app.ts";
import type { InstanceAnswer } from "../../app/single_instance.ts";
import { rawStatus } from "./_raw_http.ts";

Deno.test("instance route: needs its token, refuses cross-site calls, then activates", async () => {
  const dataDir = await Deno.makeTempDir();
  const calls: boolean[] = [];
  const token = "instance-token-0123456789";
  const app = await startApp({
    dataDir,
    libraryRoots: [],
    loadDefaultModel: false,
    instance: {
      token,
      activate: (show): InstanceAnswer => {
        calls.push(show);
        return { pid: Deno.pid, url: app.launchUrl, surface: "none", shown: false };
      },
    },
  });
  const url = `${app.origin}/api/instance/activate`;
  const post = async (headers: Record<string, string>, body = "{}") => {
    const response = await fetch(url, { method: "POST", headers, body });
    return { status: response.status, json: await response.json() };
  };
  try {
    assertEquals((await post({})).status, 401);
    assertEquals((await post({ authorization: `Bearer ${app.secret}` })).status, 401);
    assertEquals((await post({ authorization: "Bearer wrong" })).status, 401);
    const bearer = { authorization: `Bearer ${token}` };
    const fromPage = await post({ ...bearer, origin: "https://evil.example" });
    assertEquals(fromPage.status, 403);
    const port = Number(new URL(app.origin).port);
    const rebound = await rawStatus(port, "/api/instance/activate", {
      host: `evil.example:${port}`,
      ...bearer,
      "content-length": "0",
    }, "POST");
    assertEquals(rebound, 403);
    assertEquals((await post(bearer, '{"show":"yes"}')).status, 400);
    assertEquals(calls, [], "no refused request reached the app");
    const shown = await post(bearer, '{"show":true}');
    assertEquals(shown, {
      status: 200,
      json: { pid: Deno.pid, url: app.launchUrl, surface: "none", shown: false },
    });
    assertEquals((await post(bearer, "")).status, 200, "show defaults to true");
    assertEquals((await post(bearer, '{"show":false}')).status, 200);
    assertEquals(calls, [true, true, false]);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("instance route: absent when the app was started without one", async () => {
  const dataDir = await Deno.makeTempDir();
  const app = await startApp({ dataDir, libraryRoots: [], loadDefaultModel: false });
  try {
    const response = await fetch(`${app.origin}/api/instance/activate`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.secret}` },
    });
    assertEquals(response.status, 404);
    await response.body?.cancel();
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
