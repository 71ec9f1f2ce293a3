/**
 * Chats on the scheduler's slots, end to end in headless Chromium: the real app (`startApp`,
 * the real engine and the bundled model) in two tabs, one chat each. Two replies stream at
 * once; with one slot, the second chat says it waits for another reply until the first stops.
 *
 * @module
 */
import type { Page } from "playwright-core";
import { assertEquals } from "../assert.ts";
import { E2e, E2E_TEST, stepper } from "./_browser.ts";

const WAITING = "Waiting for another reply";

/** Opens a new chat in `page` and sends `text`; its reply (unlimited tokens) streams. */
async function startChat(page: Page, text: string): Promise<void> {
  await page.getByRole("button", { name: /New chat/ }).click();
  const composer = page.locator("#composer-input");
  await composer.fill(text);
  await composer.press("Enter");
}

/** The length of the streaming reply's text in `page`, once it has some. */
async function streamedLength(page: Page): Promise<number> {
  const streaming = page.locator("article.message.assistant.streaming .markdown");
  await streaming.filter({ hasText: /\w/ }).waitFor();
  return (await streaming.textContent())?.length ?? 0;
}

/** Polls until the streaming reply in `page` is longer than `length`. */
async function growsPast(page: Page, length: number): Promise<void> {
  await page.waitForFunction((before) => {
    const reply = document.querySelector("article.message.assistant.streaming .markdown");
    return (reply?.textContent?.length ?? 0) > before;
  }, length);
}

async function stop(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Stop (Esc)" }).click();
  await page.getByRole("button", { name: "Send (Enter)" }).waitFor();
}

Deno.test({
  name: "e2e: two chats stream at once; with one slot the second says it waits",
  ...E2E_TEST,
}, async (t) => {
  await using e2e = await E2e.start({ app: { libraryRoots: [] } });
  const { app } = e2e;
  const first = await e2e.page({ viewport: { width: 1100, height: 700 }, httpErrors: false });
  await first.goto(app.launchUrl); // trades the secret for the cookie both tabs use
  await first.locator('.model-button[aria-label^="Model: stories260K"]').waitFor();
  const second = await e2e.page({ context: first.context(), httpErrors: false });
  await second.goto(`${app.origin}/`);
  await second.locator('.model-button[aria-label^="Model: stories260K"]').waitFor();

  const step = stepper(t);
  await step("two chats stream their replies at the same time", async () => {
    await startChat(first, "Once upon a time");
    await streamedLength(first);
    await startChat(second, "Tom had a red ball");
    const secondLength = await streamedLength(second);
    // The first reply still grows while the second streams: both hold a slot.
    const firstLength = await streamedLength(first);
    await growsPast(first, firstLength);
    await growsPast(second, secondLength);
    assertEquals(await first.getByText(WAITING).count(), 0);
    assertEquals(await second.getByText(WAITING).count(), 0);
    assertEquals(app.host.serving().load().slotsBusy, 2);
    await stop(first);
    await stop(second);
  });

  await step("with one slot, the second chat shows that it waits, then streams", async () => {
    // The Settings dialog's slots field, saved on change.
    await first.getByRole("button", { name: "Settings", exact: true }).click();
    const slots = first.getByLabel("Replies at once", { exact: true });
    await slots.fill("1");
    await slots.blur();
    await first.getByRole("button", { name: "Close" }).click();
    await first.waitForFunction(
      async () => (await (await fetch("/api/settings")).json()).n_parallel === 1,
    );
    await startChat(first, "Lily went to the park");
    await streamedLength(first); // the app reloaded with one slot, which this reply holds
    await startChat(second, "The cat sat");
    const notice = second.getByText(WAITING);
    await notice.waitFor();
    assertEquals(await second.locator("article.message.assistant.streaming").count(), 1);
    await stop(first);
    await notice.waitFor({ state: "detached" });
    await streamedLength(second);
    await stop(second);
  });
  assertEquals(e2e.errors, []);
});
