/**
 * The OpenAI server fronting remote providers: `GET /v1/models` lists the local model and
 * each provider's as `NAME:MODEL`, and a chat completion on `NAME:MODEL` goes to the
 * provider (streamed and whole, through a 500 that is retried) while the local model still
 * answers its own id.
 */
import { assertEquals } from "../assert.ts";
import { ProviderRegistry } from "../../app/providers/registry.ts";
import { startFakeProvider } from "../fakes/fake_provider.ts";
import { MODEL_ID, startTestServer } from "./_server.ts";

Deno.test("serve fronts remote providers: /v1/models and chat completions on NAME:MODEL", async () => {
  const configDir = await Deno.makeTempDir();
  const fake = startFakeProvider();
  const providers = new ProviderRegistry({
    configDir,
    env: () => undefined,
    backend: { retryBaseMs: 1 },
  });
  providers.save({ name: "fake", base_url: fake.baseUrl });
  try {
    await using server = await startTestServer({ providers });
    const client = server.client();
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assertEquals(ids, [MODEL_ID, "fake:fake-large", "fake:fake-small"]);

    fake.faults.push({ kind: "status", status: 500 });
    const whole = await client.chat.completions.create({
      model: "fake:fake-small",
      messages: [{ role: "user", content: "Hi" }],
    });
    assertEquals(whole.choices[0].message.content, fake.reply("fake-small"));
    assertEquals(whole.usage?.completion_tokens, 3);
    assertEquals(fake.requests.map((r) => r.status), [500, 200]);

    const stream = await client.chat.completions.create({
      model: "fake:fake-large",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      usage ??= chunk.usage ?? undefined;
    }
    assertEquals(text, fake.reply("fake-large"));
    assertEquals(usage?.prompt_tokens, 7);

    const local = await client.chat.completions.create({
      model: MODEL_ID,
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 4,
    });
    assertEquals(local.model, MODEL_ID);
    assertEquals(fake.requests.length, 3, "the local model's request stayed local");
  } finally {
    await fake.close();
    await Deno.remove(configDir, { recursive: true });
  }
});
