/**
 * The cross-site guard in a real browser: Chromium holding the app's cookie creates a
 * chat through the UI's own client (ui/api.ts), while a page served by another local
 * server (another port of 127.0.0.1, so the same site) cannot, whether it posts a form
 * or a no-cors text/plain fetch.
 */
import { assertEquals } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

/** A page on another local port that posts to `target` both ways a page can without CORS. */
function attackerPage(target: string): string {
  return `<!doctype html><title>other</title>
<form id="f" method="POST" action="${target}/api/chats" enctype="text/plain" target="sink">
<input name='{"title":"form","x":"' value='"}'></form><iframe name="sink"></iframe>
<script>
fetch("${target}/api/chats", { method: "POST", mode: "no-cors", credentials: "include",
  headers: { "content-type": "text/plain" }, body: '{"title":"fetch"}' })
  .finally(() => { document.getElementById("f").submit(); window.__sent = true; });
</script>`;
}

Deno.test({
  name: "e2e: the UI's own requests pass the cross-site guard, another local page's do not",
  ...E2E_TEST,
}, async () => {
  await using e2e = await E2e.start({ app: { libraryRoots: [], loadDefaultModel: false } });
  const target = e2e.app.origin;
  await using other = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(attackerPage(target), { headers: { "content-type": "text/html" } }),
  );
  const refused: number[] = [];
  const page = await e2e.page();
  page.on(
    "response",
    (r) => r.url().endsWith("/api/chats") && r.status() === 403 && refused.push(403),
  );
  await page.goto(e2e.app.launchUrl);
  // A request as ui/api.ts sends it; the browser adds Origin and Sec-Fetch-Site.
  const created = await page.evaluate(async () => {
    const response = await fetch("/api/chats", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "mine" }),
      credentials: "same-origin",
    });
    return response.status === 201 ? (await response.json()).title : String(response.status);
  });
  assertEquals(created, "mine");

  const attacker = await page.context().newPage();
  attacker.on(
    "response",
    (r) => r.url().endsWith("/api/chats") && r.status() === 403 && refused.push(403),
  );
  await attacker.goto(`http://127.0.0.1:${other.addr.port}/`);
  await waitFor("the other page's two posts to be refused", () => refused.length >= 2);
  const list = await fetch(`${target}/api/chats`, {
    headers: { authorization: `Bearer ${e2e.app.secret}` },
  });
  const titles = (await list.json()).chats.map((c: { title: string }) => c.title);
  assertEquals(titles, ["mine"]);
});
