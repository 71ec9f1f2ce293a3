/**
 * A long paste in the composer becomes a block, in Chromium against the real app: the box
 * stays empty, a chip names the pasted lines, Remove drops one, a short paste stays text, and
 * Send stores the typed text followed by the pasted block.
 *
 * Where the test stops short of a user: the paste is a `paste` event with the text in its
 * `clipboardData`, dispatched on the box (a synthetic event inserts nothing by itself, which is
 * what the short paste shows: no chip).
 *
 * @module
 */
import type { Page } from "playwright-core";
import { assertEquals } from "../assert.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

const LONG = Array.from({ length: 40 }, (_, i) => `line ${i + 1} of the log`).join("\n");

function paste(page: Page, text: string): Promise<void> {
  return page.locator("#composer-input").evaluate((box, text) => {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    box.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, text);
}

Deno.test({
  name: "e2e: a long paste becomes a block in the composer and is sent after the typed text",
  ...E2E_TEST,
}, async () => {
  await using e2e = await E2e.start({ app: { libraryRoots: [] } });
  const { api } = e2e;
  const chat = await api.json("POST", "/api/chats", {
    sampling: { temperature: 0, max_tokens: 4 },
  });
  await api.loaded();
  const page = await e2e.page({ httpErrors: false });
  await page.goto(`${e2e.app.launchUrl}#/chat/${chat.id}`);
  const box = page.locator("#composer-input");
  await box.waitFor();

  await paste(page, "short text");
  await paste(page, LONG);
  await paste(page, LONG.replaceAll("log", "trace"));
  const chips = page.locator(".pasted-block");
  assertEquals(await chips.allTextContents(), [
    "Pasted text · 40 lines",
    "Pasted text · 40 lines",
  ]);
  assertEquals(await box.inputValue(), "", "the box holds none of it");
  await page.getByRole("button", { name: "Remove pasted text 2" }).click();
  assertEquals(await chips.count(), 1);

  await box.fill("Summarize this log:");
  await box.press("Enter");
  await chips.first().waitFor({ state: "detached" });
  const { messages } = await api.settled(chat.id);
  assertEquals(messages[0].content, `Summarize this log:\n\n${LONG}`);
  assertEquals(e2e.errors, []);
});
