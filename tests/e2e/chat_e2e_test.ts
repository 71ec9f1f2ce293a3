/**
 * Hearth end to end: the real app server (`startApp`: SQLite in a temp folder, the real engine
 * and the bundled stories260K model) over real HTTP on 127.0.0.1, driven through headless
 * Chromium like a user would: open the launch URL, chat, stop, edit and resend, reload,
 * search, export, and check the secret and XSS safety. The API is used only to set up and to
 * check what the server stored.
 *
 * Screenshots go to a temp folder (removed at the end); set HEARTH_TEST_SCREENSHOTS=DIR to
 * keep copies.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Locator } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { chatIdOf, E2e, E2E_TEST, stepper, waitWhileStreaming } from "./_browser.ts";

const PROMPT = "Once upon a time";
const FOLLOW_UP = "Tell me a very long story about the dragon";
const EDITED = "Once upon a time there was a brave little dragon";
const XSS = `Look: <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script>`;
/**
 * Tokens of the first reply: bounded, yet long enough to stream for a few hundred ms (the tiny
 * model writes 1000+ tokens a second; the UI renders a streaming reply at most every 50 ms).
 * On a loaded 2-core machine the same reply has streamed at under 15 tok/s, for over a minute:
 * step 2 waits for it as long as it grows.
 */
const FIRST_MAX_TOKENS = 512;

/** Types a number into a chat settings field and commits it (the field saves on change). */
async function setNumber(panel: Locator, label: string, value: string) {
  const input = panel.getByLabel(label, { exact: true });
  await input.fill(value);
  await input.blur();
}

/** What the page-side observer of step 2 keeps on `window`. */
type Observed = { __lengths: number[]; __sawStop: boolean; __observer: MutationObserver };

/** Text with all whitespace removed, to compare Markdown-rendered text with its source. */
const squash = (text: string | null) => (text ?? "").replace(/\s+/g, "");

Deno.test({
  name: "e2e: chat, stop, edit, reload, search, export, secret and XSS in Chromium",
  ...E2E_TEST,
}, async (t) => {
  const started = performance.now();
  const timings: [string, number][] = [];
  let streamedLengths: number[] = [];
  try {
    await using e2e = await E2e.start();
    const { api, app, browser } = e2e;
    const origin = app.origin;
    timings.push(["app and browser start", performance.now() - started]);

    const page = await e2e.page();
    const context = page.context();
    const shot = (name: string) => e2e.shot(page, name);
    const composer = page.locator("#composer-input");
    const stopButton = page.getByRole("button", { name: "Stop (Esc)" });
    const userMessages = page.locator("article.message.user");
    const replies = page.locator("article.message.assistant");
    const panel = page.getByRole("complementary", { name: "Chat settings" });
    let chatId = "";
    let firstReply = "";

    const step = stepper(t, timings);

    await step("1. the launch URL opens the UI and trades the secret for a cookie", async () => {
      const response = await page.goto(app.launchUrl);
      assertEquals(response?.status(), 200);
      assertEquals(page.url(), `${origin}/`, "the secret leaves the address bar");
      const [cookie] = await context.cookies();
      assertEquals(cookie.name, "hearth_secret");
      assert(cookie.httpOnly && cookie.sameSite === "Strict", JSON.stringify(cookie));
      await page.getByRole("navigation", { name: "Chats" }).waitFor();
      await page.getByRole("main", { name: "Chat" }).waitFor();
      // The header names the model once the background load is done.
      await page.locator('.model-button[aria-label^="Model: stories260K"]').waitFor();
      await page.getByText("No chats yet").waitFor();
      await shot("01-app-open");
    });

    await step("2. a new chat streams a reply in several updates, then shows metrics", async () => {
      await page.getByRole("button", { name: /New chat/ }).click();
      await page.getByRole("button", { name: "Chat settings" }).click();
      // Settings of the draft chat, applied when its first message creates it.
      await setNumber(panel, "Temperature", "0");
      await setNumber(panel, "Max tokens", String(FIRST_MAX_TOKENS));
      // The draft shows the overflow policy the chat will be created with.
      assertEquals(await panel.getByLabel("When full").inputValue(), "truncate-oldest");
      // Records the reply's text length at each DOM change while it streams, and whether the
      // Stop button showed meanwhile (installed first: the reply may start at once).
      await page.evaluate(() => {
        const w = globalThis as unknown as Observed;
        w.__lengths = [];
        w.__sawStop = false;
        w.__observer = new MutationObserver(() => {
          const reply = document.querySelector("article.message.assistant.streaming");
          const length = reply?.querySelector(".markdown")?.textContent?.length ?? 0;
          if (length > 0 && w.__lengths.at(-1) !== length) w.__lengths.push(length);
          if (document.querySelector('button[aria-label="Stop (Esc)"]')) w.__sawStop = true;
        });
        w.__observer.observe(document.querySelector("main")!, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
      });
      await composer.fill(PROMPT);
      await composer.press("Enter");
      await userMessages.first().getByText(PROMPT, { exact: true }).waitFor();
      const stats = replies.first().getByLabel("Reply statistics");
      // Its length bounds this wait, not a clock: under load the reply streams for minutes.
      await waitWhileStreaming(page, stats);
      await stopButton.waitFor({ state: "detached" });
      assert((await stats.textContent())?.includes("tok/s"), "metrics show tok/s");
      assert(
        (await stats.textContent())?.includes(`${FIRST_MAX_TOKENS} tokens`),
        await stats.textContent() ?? "",
      );
      const { lengths, sawStop } = await page.evaluate(() => {
        const w = globalThis as unknown as Observed;
        w.__observer.disconnect();
        return { lengths: w.__lengths, sawStop: w.__sawStop };
      });
      assert(sawStop, "the Send button turned into Stop while the reply streamed");
      streamedLengths = lengths;
      assert(
        new Set(lengths).size >= 2 && lengths[0] < Math.max(...lengths),
        `the reply grew in one step: ${JSON.stringify(lengths)}`,
      );
      await shot("02-reply-done");

      chatId = chatIdOf(page);
      const { chat, messages } = await api.chat(chatId);
      assertEquals(chat.title, PROMPT);
      assertEquals(chat.sampling, { temperature: 0, max_tokens: FIRST_MAX_TOKENS });
      assertEquals(chat.overflow, "truncate-oldest");
      assertEquals(messages.map((m) => [m.role, m.state]), [
        ["user", "complete"],
        ["assistant", "complete"],
      ]);
      const reply = messages[1];
      assertEquals(reply.finish_reason, "length");
      assertEquals(reply.metrics?.completion_tokens, FIRST_MAX_TOKENS);
      // The context bar counts the branch with the model: this turn's prompt and reply.
      const turnTokens = reply.metrics!.prompt_tokens + reply.metrics!.completion_tokens;
      await page.waitForFunction(
        (min) =>
          Number(
            document.querySelector('.context [role="meter"]')?.getAttribute("aria-valuenow"),
          ) >=
            min,
        turnTokens - 1,
      );
      firstReply = reply.content;
      assertEquals(
        squash(await replies.first().locator(".markdown").textContent()),
        squash(firstReply),
      );
      assertEquals(
        await page.locator('.chat-item[aria-current="page"] .chat-open').textContent(),
        PROMPT,
      );
    });

    await step("3. Stop ends an unlimited reply; UI and API mark it stopped", async () => {
      await setNumber(panel, "Max tokens", "-1");
      await setNumber(panel, "Context length", "2048");
      await api.until(async () => {
        const { chat } = await api.chat(chatId);
        return chat.sampling.max_tokens === -1 && chat.n_ctx === 2048;
      }, "the chat settings to be saved");
      await composer.fill(FOLLOW_UP);
      await composer.press("Enter");
      const streaming = page.locator("article.message.assistant.streaming .markdown");
      await streaming.filter({ hasText: /\w/ }).waitFor();
      await stopButton.click();
      const stopped = replies.nth(1);
      await stopped.locator(".notice", { hasText: "Stopped before the end." }).waitFor();
      assert(await stopped.evaluate((el) => el.classList.contains("incomplete")));
      await page.getByRole("button", { name: "Send (Enter)" }).waitFor();
      await shot("03-stopped");

      const { messages } = await api.chat(chatId);
      const last = messages.filter((m) => m.role === "assistant").at(-1)!;
      assertEquals(last.state, "incomplete");
      assertEquals(last.finish_reason, "abort");
      assert(last.content.length > 0, "some text was kept");
    });

    await step("4. editing the first message makes a second branch", async () => {
      await setNumber(panel, "Max tokens", "32");
      await api.until(
        async () => (await api.chat(chatId)).chat.sampling.max_tokens === 32,
        "max_tokens 32 to be saved",
      );
      await page.getByRole("button", { name: "Close chat settings" }).click();
      const first = userMessages.first();
      await first.hover();
      await first.getByRole("button", { name: "Edit and resend" }).click();
      const box = first.getByRole("textbox", { name: "Edit message" });
      assertEquals(await box.inputValue(), PROMPT);
      await box.fill(EDITED);
      await box.press("Enter");
      await first.getByText(EDITED, { exact: true }).waitFor();
      await first.locator(".branch-count", { hasText: "2/2" }).waitFor();
      await replies.first().getByLabel("Reply statistics").waitFor();
      assertEquals(await userMessages.count(), 1, "the new branch has one turn");
      // The old branch is one arrow away, and back.
      await first.getByRole("button", { name: "Previous version" }).click();
      await first.locator(".branch-count", { hasText: "1/2" }).waitFor();
      await first.getByText(PROMPT, { exact: true }).waitFor();
      await userMessages.nth(1).getByText(FOLLOW_UP).waitFor();
      await first.getByRole("button", { name: "Next version" }).click();
      await first.locator(".branch-count", { hasText: "2/2" }).waitFor();
      await shot("04-branches");

      const { chat, messages } = await api.chat(chatId);
      const roots = messages.filter((m) => m.parent_id === null);
      assertEquals(roots.map((m) => [m.role, m.content]).sort(), [
        ["user", PROMPT],
        ["user", EDITED],
      ]);
      const newReply = messages.find((m) =>
        m.parent_id === roots.find((r) => r.content === EDITED)!.id
      )!;
      assertEquals(newReply.state, "complete");
      await api.until(
        async () => (await api.chat(chatId)).chat.active_leaf_id === newReply.id,
        "the shown branch to be saved",
      );
      assert(chat.active_leaf_id !== null);
    });

    await step("5. after a reload the chat is listed and opens with its messages", async () => {
      await page.reload();
      const item = page.locator(".chat-list .chat-open", { hasText: PROMPT });
      await item.waitFor();
      await page.getByRole("button", { name: /New chat/ }).click();
      await page.getByText("What’s on your mind?").waitFor();
      await item.click();
      await userMessages.first().getByText(EDITED, { exact: true }).waitFor();
      await userMessages.first().locator(".branch-count", { hasText: "2/2" }).waitFor();
      await replies.first().getByLabel("Reply statistics").waitFor();
      assertEquals(chatIdOf(page), chatId);
      await shot("05-reloaded");
    });

    await step("6. Ctrl+K search finds the chat with a highlighted snippet", async () => {
      // A word the model wrote (on the first branch, not the title).
      const word = firstReply.toLowerCase().match(/\b[a-z]{5,}\b/g)
        ?.find((w) => !PROMPT.toLowerCase().includes(w) && !EDITED.toLowerCase().includes(w));
      assert(word, `no word to search in ${JSON.stringify(firstReply)}`);
      await page.keyboard.press("Control+k");
      await page.waitForFunction(() => document.activeElement?.id === "chat-search");
      await page.keyboard.type(word);
      const result = page.locator(".search-results .chat-item", { hasText: PROMPT });
      await result.locator("mark").first().waitFor();
      assertEquals(await page.locator(".search-results .chat-item").count(), 1);
      const marks = await result.locator("mark").allTextContents();
      assert(marks.every((m) => m.toLowerCase() === word), JSON.stringify(marks));
      assert((await result.locator(".snippet").textContent())!.toLowerCase().includes(word));
      await shot("06-search");
      await page.locator("#chat-search").fill("");
      await page.locator(".chat-list:not(.search-results)").waitFor();
    });

    await step("7. Export as Markdown downloads the active branch", async () => {
      await page.getByLabel("Export or import").click();
      const link = page.getByRole("menuitem", { name: "Export as Markdown (.md)" });
      const href = await link.getAttribute("href");
      assertEquals(href, `/api/chats/${chatId}/export?format=md`);
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      assert(download.suggestedFilename().endsWith(".md"), download.suggestedFilename());
      const markdown = await Deno.readTextFile((await download.path())!);
      assert(markdown.includes("Once upon a time"), markdown);
      assert(markdown.includes(EDITED), "the active branch is exported");
      assert(!markdown.includes(FOLLOW_UP), "the other branch is not");
      // The same link with the page's cookie, from outside the browser.
      const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
      const again = await fetch(new URL(href!, origin), { headers: { cookie } });
      assertEquals(again.status, 200);
      assertEquals(await again.text(), markdown);
    });

    await step("8. without the secret: 401 for fetch and for a fresh browser", async () => {
      for (const path of ["/", "/api/state", `/api/chats/${chatId}/export?format=md`]) {
        const response = await fetch(origin + path);
        assertEquals(response.status, 401, path);
        assertEquals((await response.json()).error.type, "unauthorized");
      }
      const stranger = await browser.newContext();
      try {
        const other = await stranger.newPage();
        const response = await other.goto(`${origin}/`);
        assertEquals(response?.status(), 401);
        assert((await other.textContent("body"))?.includes("unauthorized"));
        assertEquals(await other.locator("nav, main, #app").count(), 0, "no UI without secret");
        const wrong = await other.goto(`${origin}/?secret=not-the-secret`);
        assertEquals(wrong?.status(), 401);
        assertEquals(await stranger.cookies(), []);
        await e2e.shot(other, "08-no-secret-401");
      } finally {
        await stranger.close();
      }
    });

    await step("9. HTML in user text and in replies stays inert text", async () => {
      await composer.fill(XSS);
      await composer.press("Enter");
      const mine = userMessages.last();
      await mine.locator(".bubble", { hasText: "window.__xss=2" }).waitFor();
      await replies.last().getByLabel("Reply statistics").waitFor();
      assertEquals(await mine.locator(".bubble").textContent(), XSS);
      // A reply with the same HTML, imported through the UI's Import menu.
      await page.getByLabel("Export or import").click();
      await page.locator('.menu input[type="file"]').setInputFiles({
        name: "xss.json",
        mimeType: "application/json",
        buffer: Buffer.from(JSON.stringify({
          messages: [
            { role: "user", content: "Show me some HTML" },
            { role: "assistant", content: `Here is **bold**.\n\n${XSS}\n\nInline ${XSS} too.` },
          ],
        })),
      });
      const imported = replies.last().locator(".markdown");
      await imported.locator("strong", { hasText: "bold" }).waitFor();
      const text = await imported.textContent();
      assert(text?.includes(`<img src=x onerror="window.__xss=1">`), text ?? "");
      assert(text?.includes("<script>window.__xss=2</script>"), text ?? "");
      assertEquals(
        await page.evaluate(() => document.querySelectorAll("img, script:not([src])").length),
        0,
      );
      assertEquals(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
      await shot("09-xss-inert");
      // Back in the first chat, the user's HTML is still plain text.
      await page.locator(".chat-list .chat-open", { hasText: PROMPT }).click();
      await userMessages.last().locator(".bubble", { hasText: "window.__xss=2" }).waitFor();
      assertEquals(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
      await shot("09b-xss-user-text");
    });

    assertEquals(e2e.errors, []);
  } finally {
    timings.push(["total", performance.now() - started]);
    console.log(timings.map(([name, ms]) => `${(ms / 1000).toFixed(2)} s  ${name}`).join("\n"));
    console.log(`streamed reply lengths: ${JSON.stringify(streamedLengths)}`);
  }
});
