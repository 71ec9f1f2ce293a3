import { listModels } from "@huggingface/hub";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { type FakeHub, startFakeHub } from "../fakes/fake_hub.ts";
import { HubError, searchModels, searchModelsPage } from "../../hub/mod.ts";

const readme = { path: "README.md", bytes: new TextEncoder().encode("# card\n") };
const gguf = {
  path: "model.gguf",
  bytes: new TextEncoder().encode("GGUF fake"),
  sha256: undefined,
};

function repo(id: string, downloads: number, likes: number, day: number, trendingScore: number) {
  return {
    id,
    files: [readme, gguf],
    downloads,
    likes,
    trendingScore,
    lastModified: `2026-03-${String(day).padStart(2, "0")}T00:00:00.000Z`,
  };
}

async function withHub(fn: (hub: FakeHub) => Promise<void>) {
  const hub = await startFakeHub({
    repos: [
      repo("alice/Llama-Tiny-GGUF", 50, 9, 3, 1),
      repo("bob/llama-mini-GGUF", 500, 1, 1, 7),
      repo("carol/llama-small-GGUF", 5, 20, 2, 3),
      repo("dave/Phi-GGUF", 1000, 2, 4, 0),
      { id: "erin/llama-safetensors", files: [readme], downloads: 9999 },
      { ...repo("frank/llama-gated-GGUF", 1, 0, 5, 0), gated: "manual" as const },
    ],
  });
  try {
    await fn(hub);
  } finally {
    await hub.close();
  }
}

async function ids(iter: AsyncIterable<{ id: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iter) out.push(item.id);
  return out;
}

Deno.test("searchModels() finds GGUF repos matching the query, in each sort order", async () => {
  await withHub(async (hub) => {
    const options = { endpoint: hub.endpoint };
    assertEquals(await ids(searchModels("llama", { sort: "downloads" }, options)), [
      "bob/llama-mini-GGUF",
      "alice/Llama-Tiny-GGUF",
      "carol/llama-small-GGUF",
      "frank/llama-gated-GGUF",
    ]);
    assertEquals(
      (await ids(searchModels("llama", { sort: "likes" }, options)))[0],
      "carol/llama-small-GGUF",
    );
    assertEquals(
      (await ids(searchModels("llama", { sort: "lastModified" }, options)))[0],
      "frank/llama-gated-GGUF",
    );
    assertEquals(
      (await ids(searchModels("llama", { sort: "trending" }, options)))[0],
      "bob/llama-mini-GGUF",
    );
    const first = hub.requests[0].path;
    for (
      const part of ["filter=gguf", "search=llama", "sort=downloads", "direction=-1", "limit="]
    ) {
      assert(first.includes(part), `${first} lacks ${part}`);
    }
  });
});

Deno.test("searchModels() returns id, author, counts, date, tags and gating", async () => {
  await withHub(async (hub) => {
    const [gated] = await Array.fromAsync(searchModels("gated", {}, { endpoint: hub.endpoint }));
    assertEquals(gated, {
      id: "frank/llama-gated-GGUF",
      author: "frank",
      downloads: 1,
      likes: 0,
      lastModified: new Date("2026-03-05T00:00:00.000Z"),
      tags: ["gguf"],
      gated: "manual",
      private: false,
    });
  });
});

Deno.test("searchModelsPage() pages with the Link header's cursor until the last page", async () => {
  await withHub(async (hub) => {
    const options = { endpoint: hub.endpoint };
    const seen: string[] = [];
    let page = await searchModelsPage("", { sort: "downloads", limit: 2 }, options);
    let pages = 1;
    seen.push(...page.models.map((m) => m.id));
    while (page.nextCursor !== null) {
      page = await searchModelsPage("", { cursor: page.nextCursor }, options);
      seen.push(...page.models.map((m) => m.id));
      pages++;
    }
    assertEquals(pages, 3);
    assertEquals(seen, [
      "dave/Phi-GGUF",
      "bob/llama-mini-GGUF",
      "alice/Llama-Tiny-GGUF",
      "carol/llama-small-GGUF",
      "frank/llama-gated-GGUF",
    ]);
    assert(hub.requests[1].path.includes("cursor="));
  });
});

Deno.test("searchModels() stops at limit and fetches only the pages it needs", async () => {
  await withHub(async (hub) => {
    const found = await ids(
      searchModels("", { limit: 3, pageSize: 2 }, { endpoint: hub.endpoint }),
    );
    assertEquals(found.length, 3);
    assertEquals(hub.requests.length, 2);
  });
});

Deno.test("searchModels() retries 5xx, then reports a HubError naming the status", async () => {
  await withHub(async (hub) => {
    const options = { endpoint: hub.endpoint };
    await assertRejects(() => searchModelsPage("x", { limit: 0 }, options), RangeError);
    // Retry-After: 0 keeps the retries instant
    hub.faults.serverErrors = { count: 2, pathIncludes: "/api/models", retryAfterSeconds: 0 };
    assertEquals((await searchModelsPage("phi", {}, options)).models.length, 1);
    hub.faults.serverErrors = { count: 10, pathIncludes: "/api/models", retryAfterSeconds: 0 };
    const error = await assertRejects(
      () => searchModelsPage("x", {}, options),
      HubError,
      "HTTP 503",
    );
    assertEquals([error.code, error.status, hub.faults.serverErrors.count], ["server", 503, 6]);
  });
});

Deno.test("the fake hub's model list matches what @huggingface/hub's listModels reads", async () => {
  await withHub(async (hub) => {
    const theirs = [];
    for await (
      const m of listModels({ hubUrl: hub.endpoint, search: { query: "llama", tags: ["gguf"] } })
    ) {
      theirs.push(m);
    }
    const ours = await Array.fromAsync(searchModels("llama", {}, { endpoint: hub.endpoint }));
    assertEquals(theirs.map((m) => m.name).sort(), ours.map((m) => m.id).sort());
    const gated = theirs.find((m) => m.name === "frank/llama-gated-GGUF");
    assertEquals([gated?.gated, gated?.downloads], ["manual", 1]);
  });
});
