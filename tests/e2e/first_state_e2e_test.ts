/**
 * The first screen against a model load that ends while it is on its way, in Chromium against
 * the real app: the page's `GET /api/state` is answered (no model yet) but held in the
 * browser until the load has finished and its `model` event has reached the page over
 * `/api/events`. The header must still name the model: the older state may not undo the event
 * (it did, and the header showed no model until a reload; on a loaded machine the chat e2e
 * test's first step met it by itself).
 *
 * @module
 */
import { STORIES_260K } from "../models.ts";
import { E2e, E2E_TEST } from "./_browser.ts";

Deno.test({
  name: "e2e: a model that loads while the first state is on its way shows in the header",
  ...E2E_TEST,
}, async () => {
  await using e2e = await E2e.start({ app: { libraryRoots: [], loadDefaultModel: false } });
  const page = await e2e.page();
  // The app's event stream as the page receives it, message by message.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const modelEvent = Promise.withResolvers<void>();
  cdp.on("Network.eventSourceMessageReceived", (message) => {
    if (message.eventName === "model" && JSON.parse(message.data)?.path) modelEvent.resolve();
  });
  const answered = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  await page.route("**/api/state", async (route) => {
    const response = await route.fetch(); // what the server says now: no model
    answered.resolve();
    await release.promise;
    await route.fulfill({ response });
  });
  await page.goto(e2e.app.launchUrl);
  await answered.promise;
  await e2e.api.json("POST", "/api/models/load", { path: STORIES_260K });
  await modelEvent.promise;
  release.resolve();
  await page.locator('.model-button[aria-label^="Model: stories260K"]').waitFor();
});
