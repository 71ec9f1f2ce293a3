import { assertEquals } from "../../tests/assert.ts";
import { createStores } from "./app.ts";
import { fakeApi } from "./_fake_api.ts";

Deno.test("GenerationModel.waiting holds a reply from its waiting snapshot or event until it starts or ends", async () => {
  const { api, streams } = fakeApi();
  const stores = createStores(api);
  const { conversation, generation } = stores;
  await conversation.send("Hello");
  const reply = conversation.path.value.at(-1)!;
  const stream = streams.get(reply.id)!;
  stream.snapshot("", true, 0);
  assertEquals([...generation.waiting.value], [reply.id]);
  stream.started!();
  assertEquals(generation.waiting.value.size, 0);
  stream.waiting!();
  assertEquals([...generation.waiting.value], [reply.id]);
  stream.done({ ...reply, content: "Hi", state: "complete" });
  assertEquals(generation.waiting.value.size, 0);
  stores.toasts.clear();
});
