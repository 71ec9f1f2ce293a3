/**
 * The chat operations LM Studio and Jan users expect, end to end: the real app server (SQLite
 * in a temp folder, the real engine and stories260K) over real HTTP, driven through headless
 * Chromium: rename the chat from its header, edit a reply and a user message in place, continue
 * a reply, fork a branch into a new chat, delete a message with its reply and Undo, and export
 * the whole tree as JSONL and import it back. The API only sets up and checks what was stored.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../assert.ts";
import { chatIdOf, E2e, E2E_TEST, stepper } from "./_browser.ts";

const PROMPT = "Once upon a time";
const TITLE = "Dragon tales";
const EDITED_REPLY = "The dragon slept in the cave.";
const EDITED_QUESTION = "Once upon a time, far away";
/**
 * Tokens per reply: short, so a loaded machine (the tiny model has run at under 10 tok/s on
 * a shared CI box) still finishes each in seconds.
 */
const MAX_TOKENS = 8;

Deno.test({
  name: "e2e: rename, edit in place, continue, fork, delete with Undo, JSONL tree in Chromium",
  ...E2E_TEST,
}, async (t) => {
  await using e2e = await E2e.start();
  const { api } = e2e;
  const page = await e2e.page();
  const userMessages = page.locator("article.message.user");
  const replies = page.locator("article.message.assistant");
  const header = page.locator("header.chat-header");
  const step = stepper(t);

  // Set up: a chat with one short greedy reply, made through the API.
  const created = await api.json("POST", "/api/chats", {
    sampling: { temperature: 0, max_tokens: MAX_TOKENS },
  });
  const chatId: string = created.id;
  await api.loaded();
  await api.json("POST", `/api/chats/${chatId}/messages`, { content: PROMPT, parent_id: null });
  const setUp = await api.settled(chatId);
  const firstReply = setUp.messages[1];

  await step("1. the chat opens with its turn", async () => {
    await page.goto(e2e.app.launchUrl);
    await page.locator(".chat-list .chat-open", { hasText: PROMPT }).click();
    await userMessages.first().getByText(PROMPT, { exact: true }).waitFor();
    await replies.first().getByLabel("Reply statistics").waitFor();
    assertEquals(chatIdOf(page), chatId);
  });

  await step(
    "2. renaming in the header updates the header, the sidebar and the chat",
    async () => {
      await header.locator(".chat-title-text", { hasText: PROMPT }).click();
      const field = header.getByRole("textbox", { name: "Chat title" });
      await field.fill(TITLE);
      await field.press("Enter");
      await header.getByText(TITLE, { exact: true }).waitFor();
      await page.locator('.chat-item[aria-current="page"] .chat-open', { hasText: TITLE })
        .waitFor();
      await api.until(async () => (await api.chat(chatId)).chat.title === TITLE, "the title");
      // A rename in the sidebar reaches the header too.
      await page.locator('.chat-item[aria-current="page"]').hover();
      await page.getByRole("button", { name: `Rename “${TITLE}”` }).click();
      const side = page.locator(".chat-item.editing input");
      await side.fill(`${TITLE}!`);
      await side.press("Enter");
      await header.getByText(`${TITLE}!`, { exact: true }).waitFor();
      await header.getByRole("button", { name: "Rename chat" }).click();
      await header.getByRole("textbox", { name: "Chat title" }).fill(TITLE);
      await header.getByRole("textbox", { name: "Chat title" }).press("Enter");
      await api.until(async () => (await api.chat(chatId)).chat.title === TITLE, "the title");
    },
  );

  await step("3. a reply and a user message are edited in place, nothing resent", async () => {
    const reply = replies.first();
    await reply.getByRole("button", { name: "Edit reply" }).click();
    const box = reply.getByRole("textbox", { name: "Edit message" });
    assertEquals(await box.inputValue(), firstReply.content);
    await box.fill(EDITED_REPLY);
    await reply.getByRole("button", { name: "Save" }).click();
    await reply.getByText(EDITED_REPLY).waitFor();
    const question = userMessages.first();
    await question.hover();
    await question.getByRole("button", { name: "Edit message" }).click();
    await question.getByRole("textbox", { name: "Edit message" }).fill(EDITED_QUESTION);
    await question.getByRole("textbox", { name: "Edit message" }).press("Enter");
    await question.getByText(EDITED_QUESTION, { exact: true }).waitFor();
    await api.until(
      async () => (await api.chat(chatId)).messages[0].content === EDITED_QUESTION,
      "the question's edit",
    );
    const { chat, messages } = await api.chat(chatId);
    assertEquals(messages.map((m) => m.content), [EDITED_QUESTION, EDITED_REPLY]);
    assertEquals(messages.map((m) => m.id), setUp.messages.map((m) => m.id), "same messages");
    assertEquals(chat.active_leaf_id, firstReply.id);
    assertEquals(await page.locator(".branch-count").count(), 0, "no new branch");
  });

  await step("4. Continue appends to the reply it ended", async () => {
    const reply = replies.first();
    await reply.getByRole("button", { name: "Continue reply" }).click();
    await api.until(async () => {
      const [, stored] = (await api.chat(chatId)).messages;
      return stored.state === "complete" && stored.content.length > EDITED_REPLY.length;
    }, "the continuation");
    const { messages } = await api.chat(chatId);
    assertEquals(messages.length, 2, "the same reply, longer");
    const continued = messages[1].content;
    assert(continued.startsWith(EDITED_REPLY), continued);
    assertEquals(messages[1].metrics?.completion_tokens, MAX_TOKENS);
    await reply.getByLabel("Reply statistics").waitFor();
    const shown = (await reply.locator(".markdown").textContent())!.replace(/\s+/g, "");
    assertEquals(shown, continued.replace(/\s+/g, ""));
  });

  let forkId = "";
  await step(
    "5. Fork copies the branch up to a message into a new chat and opens it",
    async () => {
      await replies.first().getByRole("button", { name: "Fork into a new chat" }).click();
      await header.getByText(`${TITLE} (fork)`, { exact: true }).waitFor();
      await page.getByText(`Forked into “${TITLE} (fork)”`).waitFor();
      await api.until(() => Promise.resolve(chatIdOf(page) !== chatId), "the fork to open");
      forkId = chatIdOf(page);
      const fork = await api.chat(forkId);
      const source = await api.chat(chatId);
      assertEquals(
        fork.messages.map((m) => m.content),
        source.messages.map((m) => m.content),
      );
      assertEquals(fork.chat.sampling, source.chat.sampling);
      await userMessages.first().getByText(EDITED_QUESTION, { exact: true }).waitFor();
    },
  );

  await step("6. Delete removes a message with its reply; Undo brings both back", async () => {
    const question = userMessages.first();
    await question.hover();
    await question.getByRole("button", { name: "Delete message and replies" }).click();
    await page.locator(".toast", { hasText: "Deleted 2 messages" }).waitFor();
    await api.until(async () => (await api.chat(forkId)).messages.length === 0, "deletion");
    assertEquals(await page.locator("article.message").count(), 0);
    await page.getByRole("button", { name: "Undo" }).click();
    await userMessages.first().getByText(EDITED_QUESTION, { exact: true }).waitFor();
    await replies.first().getByLabel("Reply statistics").waitFor();
    assertEquals((await api.chat(forkId)).messages.length, 2);
  });

  await step("7. JSONL export holds every branch; importing it restores the tree", async () => {
    await page.locator(".chat-list .chat-open", { hasText: new RegExp(`^${TITLE}$`) }).click();
    await api.until(() => Promise.resolve(chatIdOf(page) === chatId), "the first chat to open");
    await replies.first().getByRole("button", { name: "Regenerate" }).click();
    await replies.first().locator(".branch-count", { hasText: "2/2" }).waitFor();
    await api.settled(chatId);
    await replies.first().getByLabel("Reply statistics").waitFor();
    await page.getByLabel("Export or import").click();
    const link = page.getByRole("menuitem", { name: "Export as JSONL (.jsonl)" });
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const jsonl = await Deno.readTextFile((await download.path())!);
    const lines = jsonl.trim().split("\n").map((line) => JSON.parse(line));
    assertEquals(lines.map((l) => l.type), ["chat", "message", "message", "message"]);
    const [, question, ...versions] = lines;
    assertEquals(versions.map((v) => v.parent_id), [question.id, question.id]);

    await page.getByLabel("Export or import").click();
    await page.locator('.menu input[type="file"]').setInputFiles({
      name: "tree.jsonl",
      mimeType: "application/jsonl",
      buffer: Buffer.from(jsonl),
    });
    await page.getByText(`Imported “${TITLE}”`).waitFor();
    await api.until(() => Promise.resolve(chatIdOf(page) !== chatId), "the import to open");
    const imported = await api.chat(chatIdOf(page));
    assertEquals(imported.messages.length, 3, "both versions of the reply");
    await replies.first().locator(".branch-count", { hasText: "2/2" }).waitFor();
    await replies.first().getByRole("button", { name: "Previous version" }).click();
    await replies.first().locator(".branch-count", { hasText: "1/2" }).waitFor();
  });

  assertEquals(e2e.errors, []);
});
