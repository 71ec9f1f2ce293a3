/**
 * RemoteBackend against the fake OpenAI-compatible provider (a real HTTP server):
 * streaming with usage, retries on 429 (Retry-After) and 500, no retry after a stream
 * dropped mid-reply, timeouts, the error mapping, the key redacted, the concurrency limit.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { RemoteBackend, type RemoteBackendOptions } from "../../app/providers/remote_backend.ts";
import {
  ProviderAuthError,
  ProviderModelNotFoundError,
  ProviderRateLimitError,
  ProviderUpstreamError,
} from "../../app/providers/errors.ts";
import type { Completion, CompletionResult } from "../../app/providers/backend.ts";
import { type FakeProvider, startFakeProvider } from "../fakes/fake_provider.ts";

const KEY = "sk-test-secret-4f9a";
const MESSAGES = [{ role: "user" as const, content: "Hi" }];

async function withProvider(
  fn: (
    fake: FakeProvider,
    backend: (o?: Partial<RemoteBackendOptions>) => RemoteBackend,
  ) => Promise<void>,
): Promise<void> {
  const fake = startFakeProvider({ keys: [KEY] });
  try {
    await fn(fake, (options = {}) =>
      new RemoteBackend({
        name: "fake",
        baseUrl: fake.baseUrl,
        apiKey: () => KEY,
        retryBaseMs: 1,
        ...options,
      }));
  } finally {
    await fake.close();
  }
}

async function drain(completion: Completion): Promise<{ text: string; result: CompletionResult }> {
  let text = "";
  for await (const piece of completion) text += piece.text;
  return { text, result: await completion.result };
}

Deno.test("RemoteBackend.complete() streams the reply with usage and lists models", async () => {
  await withProvider(async (fake, backend) => {
    const remote = backend();
    assertEquals(await remote.models(), ["fake-large", "fake-small"]);
    const { text, result } = await drain(
      remote.complete({ model: "fake-small", messages: MESSAGES }),
    );
    assertEquals(text, fake.reply("fake-small"));
    assertEquals(result.text, text);
    assertEquals(result.finishReason, "stop");
    assertEquals(result.retries, 0);
    assertEquals(result.metrics.promptTokens, 7);
    assertEquals(result.metrics.completionTokens, 3);
    assertEquals(fake.requests[0].authorization, `Bearer ${KEY}`);
    assertEquals(fake.requests[0].body.stream_options, { include_usage: true });
  });
});

Deno.test("RemoteBackend.complete() retries 429 after Retry-After and 500, counting retries", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "status", status: 429, retryAfter: "0" }, {
      kind: "status",
      status: 500,
    });
    const waits: number[] = [];
    const remote = backend({ onRetry: (_, ms) => waits.push(ms) });
    const { text, result } = await drain(
      remote.complete({ model: "fake-small", messages: MESSAGES }),
    );
    assertEquals(text, fake.reply("fake-small"));
    assertEquals(result.retries, 2);
    assertEquals(fake.requests.map((r) => r.status), [429, 500, 200]);
    // Retry-After: 0 is honoured as is; the 500 waits the backoff.
    assertEquals(waits[0], 0);
  });
});

Deno.test("RemoteBackend.complete() gives up with the wait when Retry-After is too long", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "status", status: 429, retryAfter: "120" });
    const error = await assertRejects(
      () => drain(backend().complete({ model: "fake-small", messages: MESSAGES })),
      ProviderRateLimitError,
    );
    assertEquals(error.retryAfterMs, 120_000);
    assertEquals(fake.requests.length, 1);
  });
});

Deno.test("RemoteBackend.complete() maps 401 and 404 without retrying, the key redacted", async () => {
  await withProvider(async (fake, backend) => {
    const wrong = "sk-wrong-key-77";
    const auth = await assertRejects(
      () =>
        drain(
          backend({ apiKey: () => wrong }).complete({ model: "fake-small", messages: MESSAGES }),
        ),
      ProviderAuthError,
    );
    assertEquals(auth.status, 401);
    assert(!auth.message.includes(wrong), auth.message);
    assert(!String(auth.stack).includes(wrong));
    await assertRejects(
      () => drain(backend().complete({ model: "nope", messages: MESSAGES })),
      ProviderModelNotFoundError,
    );
    assertEquals(fake.requests.length, 2);
  });
});

Deno.test("RemoteBackend.complete() does not repeat a stream dropped mid-reply", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "drop", pieces: 2 });
    let text = "";
    const completion = backend().complete({ model: "fake-small", messages: MESSAGES });
    await assertRejects(async () => {
      for await (const piece of completion) text += piece.text;
    }, ProviderUpstreamError);
    assertEquals(text, "Hello from ");
    assertEquals(fake.requests.length, 1);
  });
});

Deno.test("RemoteBackend.complete() times out a first byte that never comes, then retries", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "hang" });
    const { text, result } = await drain(
      backend({ firstByteTimeoutMs: 200 }).complete({ model: "fake-small", messages: MESSAGES }),
    );
    assertEquals(text, fake.reply("fake-small"));
    assertEquals(result.retries, 1);
  });
});

Deno.test("RemoteBackend.complete() ends with finish_reason abort when the signal aborts", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "hang" });
    const controller = new AbortController();
    const completion = backend().complete({
      model: "fake-small",
      messages: MESSAGES,
      signal: controller.signal,
    });
    const done = drain(completion);
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    assertEquals((await done).result.finishReason, "abort");
  });
});

Deno.test("RemoteBackend keeps at most `concurrency` requests open", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "hang" }, { kind: "hang" });
    const controller = new AbortController();
    const remote = backend({ concurrency: 2 });
    const runs = [0, 1, 2].map(() =>
      drain(remote.complete({ model: "fake-small", messages: MESSAGES, signal: controller.signal }))
    );
    while (fake.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
    assertEquals(remote.active, 2);
    assertEquals(fake.requests.length, 2);
    controller.abort();
    await Promise.all(runs);
    assertEquals(remote.active, 0);
  });
});

Deno.test("RemoteBackend.models() is empty for a provider without /v1/models", async () => {
  const fake = startFakeProvider({ modelsRoute: false });
  try {
    const remote = new RemoteBackend({
      name: "bare",
      baseUrl: fake.baseUrl,
      apiKey: () => undefined,
    });
    assertEquals(await remote.models(), []);
  } finally {
    await fake.close();
  }
});

Deno.test("RemoteBackend.complete() fails an idle stream after its text, without retrying", async () => {
  await withProvider(async (fake, backend) => {
    fake.faults.push({ kind: "stall", pieces: 1 });
    let text = "";
    const completion = backend({ idleTimeoutMs: 200 }).complete({
      model: "fake-small",
      messages: MESSAGES,
    });
    const error = await assertRejects(async () => {
      for await (const piece of completion) text += piece.text;
    }, ProviderUpstreamError);
    assert(error.message.includes("idle timeout"), error.message);
    assertEquals(text, "Hello ");
    assertEquals(fake.requests.length, 1);
  });
});

Deno.test("RemoteBackend.complete() sends a turn's images as data: URL image_url parts", async () => {
  await withProvider(async (fake, backend) => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47);
    const messages = [{
      role: "user" as const,
      content: "<__media__>\nWhat is it?",
      images: [png],
    }];
    await drain(backend().complete({ model: "fake-small", messages }));
    assertEquals(fake.requests[0].body.messages, [{
      role: "user",
      content: [
        { type: "text", text: "\nWhat is it?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw==" } },
      ],
    }]);
  });
});
