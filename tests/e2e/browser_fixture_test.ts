/**
 * The e2e fixture (tests/e2e/_browser.ts) itself: what `await using` closes when the test
 * body throws, that a second disposal does nothing, and that a start failing half way leaves
 * nothing behind.
 *
 * @module
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { exists } from "../../hub/_cache_layout.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

Deno.test({
  name: "E2e closes the browser, the app and the data folder once when the test body throws",
  ...E2E_TEST,
}, async () => {
  let kept: E2e | undefined;
  let closes = 0;
  await assertRejects(
    async () => {
      await using e2e = await E2e.start({ app: { loadDefaultModel: false, libraryRoots: [] } });
      kept = e2e;
      const close = e2e.app.close;
      (e2e.app as { close(): Promise<void> }).close = () => (closes++, close());
      const page = await e2e.page();
      await page.goto(e2e.app.launchUrl);
      throw new Error("a step failed");
    },
    Error,
    "a step failed",
  );
  const e2e = kept!;
  assertEquals(e2e.browser.isConnected(), false, "the browser is closed");
  assertEquals(closes, 1, "the app is closed once");
  const refused = await fetch(e2e.app.origin).then(() => false, () => true);
  assert(refused, "the app's server no longer answers");
  assertEquals(await exists(e2e.dataDir), false, "the data folder is gone");
  await e2e[Symbol.asyncDispose]();
  assertEquals(closes, 1, "a second disposal closes nothing again");
});

Deno.test({
  name: "E2e.start() that fails after making its data folder removes it and throws the cause",
  ...E2E_TEST,
}, async () => {
  let dataDir = "";
  await assertRejects(
    () =>
      E2e.start({
        beforeStart: (dir) => {
          dataDir = dir;
          return Promise.reject(new Error("seeding failed"));
        },
      }),
    Error,
    "seeding failed",
  );
  assert(dataDir !== "");
  assertEquals(await exists(dataDir), false);
});
