import { assert, assertEquals } from "../../tests/assert.ts";
import { createStores } from "./app.ts";
import { fakeApi, fakeChat, fakeMessage } from "./_fake_api.ts";
import type { ContextRequest, LoadedModel } from "../../api/types.ts";

const LOADED = { path: "/m/model.gguf", n_ctx: 1000, loras: [] } as unknown as LoadedModel;

/** Polls until `check` holds (the store measures asynchronously, drafts after a pause). */
async function until(what: string, check: () => boolean) {
  const deadline = Date.now() + 5000;
  while (!check()) {
    assert(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The fake server's count: 10 tokens a message on the branch, 1 per draft character. */
function setup(overflow: "error" | "truncate-oldest" = "truncate-oldest") {
  const messages = [
    fakeMessage("u1", null),
    fakeMessage("a2", "u1", { role: "assistant", content: "an imported reply, no metrics" }),
  ];
  const fake = fakeApi([fakeChat("c1", { active_leaf_id: "a2", overflow })], messages);
  const depth = (leaf: string | null | undefined) =>
    leaf === "u1" ? 1 : leaf === null ? 0 : leaf?.startsWith("u1") ? 3 : 2;
  fake.context.answer = (body: ContextRequest) => {
    const draft = body.draft?.length ?? 0;
    const branch = 10 * depth(body.leaf_id);
    return {
      prompt_tokens: branch + draft,
      min_prompt_tokens: draft || branch,
      n_ctx: 100,
      overflow,
    };
  };
  const stores = createStores(fake.api);
  stores.models.onModel(LOADED);
  return { ...fake, stores };
}

Deno.test("ContextModel counts an opened chat's branch, even one without metrics", async () => {
  const { stores, measures } = setup();
  await stores.conversation.open("c1");
  await until("the branch is measured", () => stores.context.used.value === 20);
  assertEquals(measures.at(-1), { chat_id: "c1", leaf_id: "a2" });
  assertEquals(stores.context.nCtx.value, 100);
  stores.context.dispose();
});

Deno.test("ContextModel adds a streaming reply's tokens as they arrive, then measures again", async () => {
  const { stores, streams, measures } = setup();
  const { conversation, context } = stores;
  await conversation.open("c1");
  await until("the branch is measured", () => context.used.value === 20);
  await conversation.send("more", "a2");
  const reply = conversation.path.value.at(-1)!;
  // While it streams, the prompt is the branch up to the new user message.
  await until("the prompt is measured", () => measures.at(-1)?.leaf_id === reply.parent_id);
  await until("the prompt's count", () => context.used.value === 30);
  const stream = streams.get(reply.id)!;
  stream.snapshot("", false, 0);
  stream.delta("Once", 1);
  assertEquals(context.used.value, 31);
  stream.delta(" upon a", 2);
  assertEquals(context.used.value, 33);
  stream.done({ ...reply, content: "Once upon a", state: "complete" });
  await until("the finished branch is measured", () => measures.at(-1)?.leaf_id === reply.id);
  context.dispose();
  stores.toasts.clear();
});

Deno.test("ContextModel warns about a draft that cannot fit, in the policy's words", async () => {
  for (const overflow of ["error", "truncate-oldest"] as const) {
    const { stores } = setup(overflow);
    const { conversation, context } = stores;
    await conversation.open("c1");
    await until("the branch is measured", () => context.used.value === 20);
    context.setDraft("x".repeat(50));
    await until("the draft is measured", () => context.draftTokens.value === 50);
    assertEquals(context.notice.value, null);
    context.setDraft("x".repeat(90)); // 110 with the branch, 90 alone
    await until("the draft is measured", () => context.draftTokens.value === 90);
    const notice = context.notice.value!;
    if (overflow === "error") {
      assertEquals(notice.level, "error");
      assert(notice.text.includes("110 tokens"), notice.text);
      assert(notice.text.includes("Drop the oldest messages"), notice.text);
    } else {
      assertEquals(notice.level, "info", "the oldest turns make room");
      context.setDraft("x".repeat(120));
      await until("the draft is measured", () => context.draftTokens.value === 120);
      assertEquals(context.notice.value?.level, "error");
      assert(!context.notice.value!.text.includes("Drop the oldest"), "never suggests it again");
    }
    context.setDraft("");
    assertEquals(context.notice.value, null);
    context.dispose();
  }
});
