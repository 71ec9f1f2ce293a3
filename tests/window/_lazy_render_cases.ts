/**
 * A reply with code and math in the native window: WebKitGTK fetches the highlight.js and
 * KaTeX chunks the UI imports on demand (under the app's Content-Security-Policy), and the
 * reply ends up highlighted, typeset and sanitized.
 *
 * How the page answers: the script evaluated in the view renames the chat through the app's
 * own API (same origin, the window's cookie) to what it found, and the test reads the title
 * from the database.
 *
 * @module
 */
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { WebviewWindow } from "../../desktop/window.ts";
import { startApp } from "../../cli/app.ts";
import { waitFor } from "./_xvfb.ts";
import "./_display.ts";

const CHAT = JSON.stringify({
  messages: [
    { role: "user", content: "Code and math?" },
    {
      role: "assistant",
      content: "```ts\nconst answer = 42;\n```\n\nSo $$\\frac{a}{b}$$ and $x^2$.\n\n" +
        `<img src=x onerror="document.title='xss'">`,
    },
  ],
});

/** Evaluated until it reports: what the reply shows once both libraries are in. */
const PROBE = `(() => {
  const md = document.querySelector("article.message.assistant .markdown");
  if (window.reported || !md || !md.querySelector(".katex-display")) return;
  if (!md.querySelector("code.hljs .hljs-keyword")) return;
  window.reported = true;
  const found = [
    "keyword=" + md.querySelector("code.hljs .hljs-keyword").textContent,
    "formulas=" + md.querySelectorAll(".katex-mathml").length,
    "pending=" + md.querySelectorAll(".math-pending, .hljs-pending").length,
    "img=" + md.querySelectorAll("img").length,
    "katexcss=" + !!document.querySelector('link[href="/katex.css"]'),
  ].join(" ");
  const id = location.hash.split("/").pop();
  fetch("/api/chats/" + id, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: found }),
  });
})()`;

Deno.test("a reply with code and math renders in the window once its chunks load", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth_lazy_render_" });
  const app = await startApp({
    dataDir: join(dir, "data"),
    loadDefaultModel: false,
    libraryRoots: [],
  });
  try {
    const chat = app.storage.importChat(CHAT, "openai");
    using win = WebviewWindow.open({
      title: "lazy render",
      url: `${app.launchUrl}#/chat/${chat.id}`,
      width: 1000,
      height: 700,
    });
    const title = await waitFor("the page to report what it shows", () => {
      win.eval(PROBE);
      const now = app.storage.chats.get(chat.id)?.title;
      return now?.startsWith("keyword=") ? now : undefined;
    }, { timeoutMs: 60_000, everyMs: 200 });
    assertEquals(title, "keyword=const formulas=2 pending=0 img=0 katexcss=true");
  } finally {
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});
