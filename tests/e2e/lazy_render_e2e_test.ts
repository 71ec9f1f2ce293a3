/**
 * The reply renderer's heavy libraries load on demand, in Chromium against the real app: the
 * first screen fetches neither highlight.js nor KaTeX (nor KaTeX's stylesheet) while a chat
 * without code or math is open; opening a reply with code, math and injected HTML fetches
 * them, and the reply ends up highlighted, typeset and still sanitized.
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { DEFAULT_OUT_DIR } from "../../ui/build.ts";
import { E2e, E2E_TEST, stepper } from "./_browser.ts";

/** Above this app.js is as big as it was with both libraries inside it (625 KB). */
const MAX_APP_JS_BYTES = 300_000;
/** Requests for the lazily loaded parts: the two chunks and KaTeX's stylesheet. */
const LAZY = /\/chunks\/(?:common|katex)-[\w-]+\.js$|\/katex\.css$/;

const RICH_REPLY = [
  "Here is code:",
  "",
  "```ts",
  "const answer = 42;",
  "```",
  "",
  "Inline $x^2$ and display:",
  "",
  "$$\\frac{a}{b}$$",
  "",
  `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`,
].join("\n");

function jsonl(title: string, reply: string): string {
  return [
    { type: "chat", version: 1, title },
    { type: "message", role: "user", content: `Question for ${title}` },
    { type: "message", role: "assistant", content: reply },
  ].map((line) => JSON.stringify(line)).join("\n") + "\n";
}

Deno.test({
  name: "e2e: highlight.js and KaTeX load only when a reply has code or math, then render it",
  ...E2E_TEST,
}, async (t) => {
  await using e2e = await E2e.start();
  const { api } = e2e;
  const plainReply = "Just **words**, no code and no math.";
  // The plain chat is the newest, the one the app opens first.
  await api.json("POST", "/api/import", jsonl("Rich", RICH_REPLY));
  await api.json("POST", "/api/import", jsonl("Plain", plainReply));

  const page = await e2e.page();
  const lazyRequests: string[] = [];
  page.on("request", (r) => LAZY.test(new URL(r.url()).pathname) && lazyRequests.push(r.url()));
  const reply = page.locator("article.message.assistant .markdown");
  const step = stepper(t);

  await step("the first screen and a plain reply fetch neither library", async () => {
    const size = (await Deno.stat(join(DEFAULT_OUT_DIR, "app.js"))).size;
    assert(size < MAX_APP_JS_BYTES, `app.js is ${size} bytes`);
    await page.goto(e2e.app.launchUrl);
    await page.locator(".chat-list .chat-open", { hasText: "Plain" }).click();
    await reply.locator("strong", { hasText: "words" }).waitFor();
    assertEquals(lazyRequests, []);
  });

  await step("a reply with code and math loads both and is highlighted and typeset", async () => {
    await page.locator(".chat-list .chat-open", { hasText: "Rich" }).click();
    await reply.locator("code.hljs .hljs-keyword", { hasText: "const" }).waitFor();
    await reply.locator(".katex-display").waitFor();
    assertEquals(await reply.locator(".katex-mathml").count(), 2);
    assertEquals(await reply.locator(".math-pending, .hljs-pending").count(), 0);
    assertEquals(await reply.locator("code.hljs .hljs-number").textContent(), "42");
    // KaTeX's stylesheet applies: its fonts are declared and a strut has its height.
    await page.waitForFunction(() => document.fonts.check("16px KaTeX_Main"));
    const strut = await reply.locator(".katex-html [style*=height]").first().evaluate((el) =>
      getComputedStyle(el).height
    );
    assert(strut !== "0px" && strut !== "auto", `strut height ${strut}`);
    const loaded = lazyRequests.map((url) => new URL(url).pathname.replace(/-[\w]+\.js$/, ""));
    assertEquals(loaded.sort(), ["/chunks/common", "/chunks/katex", "/katex.css"]);
  });

  await step("the injected HTML stays text", async () => {
    assertEquals(await reply.locator("img, script").count(), 0);
    assert((await reply.textContent())?.includes("<img src=x"), "the tag shows as text");
    assertEquals(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
    assertEquals(await reply.locator("[style]:not(.katex [style])").count(), 0);
  });

  assertEquals(e2e.errors, []);
});
