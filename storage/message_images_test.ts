import { assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

Deno.test("a message keeps its images in order; deleting it deletes them", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const user = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "look" });
  storage.images.set(user.id, [
    { mime_type: "image/png", data: PNG },
    { mime_type: "image/jpeg", data: Uint8Array.of(0xff, 0xd8) },
  ]);
  assertEquals(storage.images.list(user.id).map((image) => image.mime_type), [
    "image/png",
    "image/jpeg",
  ]);
  assertEquals(storage.images.list(user.id)[0].data, PNG);
  assertEquals(storage.images.counts([user.id, "other"]), new Map([[user.id, 2]]));
  assertThrows(
    () => storage.images.set(user.id, [{ mime_type: "text/html", data: PNG }]),
    TypeError,
    "mime_type",
  );
  storage.messages.delete(user.id);
  assertEquals(storage.images.list(user.id), []);
});
