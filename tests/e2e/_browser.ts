/**
 * The fixture every Chromium end-to-end test starts from: the real app (`startApp`: SQLite in
 * a temp folder, the real engine and the bundled model unless told otherwise) on 127.0.0.1 and
 * a headless Chromium, owned by one value the test holds with `await using`. Its disposal
 * closes the browser, then the app, then removes the data folder, each exactly once, whether
 * the test passed, a step failed or the start itself failed half way.
 *
 * ```ts ignore
 * await using e2e = await E2e.start({ app: { libraryRoots: [] } });
 * const page = await e2e.page();
 * await page.goto(e2e.app.launchUrl);
 * ...
 * assertEquals(e2e.errors, []);
 * ```
 *
 * Screenshots go to a temp folder (removed at the end); set HEARTH_TEST_SCREENSHOTS=DIR to
 * keep copies.
 *
 * @module
 */
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  errors as playwrightErrors,
  type Locator,
  type Page,
} from "playwright-core";
import { assert } from "../assert.ts";
import { type RunningApp, startApp, type StartAppOptions } from "../../cli/app.ts";
import { CHROMIUM, LAUNCH_ARGS } from "../ui/_page_server.ts";
import { ChatApi, WAIT_MS } from "./_chat_api.ts";

/**
 * The options of every e2e `Deno.test`: Playwright keeps a browser process and pipes open
 * between steps, which the op and resource sanitizers would report.
 */
export const E2E_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

/** The window size the tests lay the UI out in, unless a test asks for another. */
export const VIEWPORT = { width: 1280, height: 800 } as const;

/** Options of {@link E2e.start}. */
export interface E2eOptions {
  /** {@link startApp}'s options but the data folder, which the fixture makes. Default none. */
  app?: Omit<StartAppOptions, "dataDir">;
  /** Runs on the empty data folder before the app starts (to seed its database). */
  beforeStart?: (dataDir: string) => Promise<void>;
}

/** Options of {@link E2e.page}: a new browser context's, with {@link VIEWPORT} by default. */
export interface PageOptions extends BrowserContextOptions {
  /** Opens the page in this context (sharing its cookie) instead of a new one. */
  context?: BrowserContext;
  /** Count console errors as errors. Default true (a test that expects some filters its own). */
  consoleErrors?: boolean;
  /** Count responses with a status of 400 or more as errors. Default true. */
  httpErrors?: boolean;
}

/** A temp folder that removes itself on disposal. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
}

/** Makes a temp folder named `prefix…` that `await using` removes (a missing one is fine). */
export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return { path, [Symbol.asyncDispose]: () => removeDir(path) };
}

async function removeDir(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** The real app and a headless Chromium, closed together by `await using`. */
export class E2e implements AsyncDisposable {
  /**
   * Uncaught page errors, console errors and HTTP error responses (the last two unless a page
   * was opened without them) of every page opened with {@link E2e.page}, in order.
   */
  readonly errors: string[] = [];
  /** The UI API with the launch secret, for setup and checks. */
  readonly api: ChatApi;
  /** Closes the browser, the app and the folders, in that order; disposes once. */
  readonly #resources: AsyncDisposableStack;
  #shotDir: string | undefined;

  private constructor(
    /** The running app. */
    readonly app: RunningApp,
    /** The headless Chromium. */
    readonly browser: Browser,
    /** The app's data folder (its database). */
    readonly dataDir: string,
    resources: AsyncDisposableStack,
  ) {
    this.api = new ChatApi(app);
    this.#resources = resources;
  }

  /**
   * Makes a data folder, starts the app on it, then launches Chromium. One after the other,
   * each registered for closing as soon as it exists: when a later one fails to start, the
   * earlier ones are closed before the error is thrown.
   *
   * @throws whatever `beforeStart`, {@link startApp} or `chromium.launch` threw
   */
  static async start(options: E2eOptions = {}): Promise<E2e> {
    const resources = new AsyncDisposableStack();
    try {
      const dataDir = await Deno.makeTempDir({ prefix: "hearth-e2e-" });
      resources.defer(() => removeDir(dataDir));
      await options.beforeStart?.(dataDir);
      const app = await startApp({ ...options.app, dataDir });
      resources.defer(() => app.close());
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
      resources.defer(() => browser.close());
      return new E2e(app, browser, dataDir, resources.move());
    } catch (error) {
      // The start's own error is the one worth reading; a close failing after it is noise.
      await resources.disposeAsync().catch(() => {});
      throw error;
    }
  }

  /**
   * Opens a page (in a new context unless `context` is given) whose waits take up to
   * {@link WAIT_MS} and whose errors go to {@link E2e.errors}.
   */
  async page(options: PageOptions = {}): Promise<Page> {
    const { context, consoleErrors = true, httpErrors = true, ...contextOptions } = options;
    const owner = context ??
      await this.browser.newContext({ viewport: VIEWPORT, ...contextOptions });
    const page = await owner.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on("pageerror", (e) => this.errors.push(e.message));
    if (consoleErrors) {
      page.on("console", (m) => m.type() === "error" && this.errors.push(m.text()));
    }
    if (httpErrors) {
      page.on("response", (r) => r.status() >= 400 && this.errors.push(`${r.status()} ${r.url()}`));
    }
    return page;
  }

  /** Saves a screenshot of `page` as `name`.png (copied to $HEARTH_TEST_SCREENSHOTS if set). */
  async shot(page: Page, name: string): Promise<void> {
    if (this.#shotDir === undefined) {
      this.#shotDir = await Deno.makeTempDir({ prefix: "hearth-e2e-shots-" });
      const dir = this.#shotDir;
      this.#resources.defer(() => removeDir(dir));
    }
    const path = join(this.#shotDir, `${name}.png`);
    await page.screenshot({ path });
    const keep = Deno.env.get("HEARTH_TEST_SCREENSHOTS");
    if (keep) {
      await Deno.mkdir(keep, { recursive: true });
      await Deno.copyFile(path, join(keep, `${name}.png`));
    }
  }

  /** Closes the browser, then the app, then removes the folders; later calls do nothing. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#resources.disposeAsync();
  }
}

/**
 * A step runner for `t`: runs `fn` as the step `name` and throws when it failed, so later
 * steps, which build on it, do not run. Each step's duration in ms goes to `timings` if given.
 */
export function stepper(
  t: Deno.TestContext,
  timings?: [string, number][],
): (name: string, fn: () => Promise<void>) => Promise<void> {
  return async (name, fn) => {
    const started = performance.now();
    const ok = await t.step(name, fn);
    timings?.push([name, performance.now() - started]);
    assert(ok, `step failed: ${name}`);
  };
}

/** The open chat's id, from the URL hash (`#/chat/ID`). */
export function chatIdOf(page: Page): string {
  const match = /^#\/chat\/(.+)$/.exec(new URL(page.url()).hash);
  assert(match, `no chat in the URL ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** Length of the text of the reply streaming in `page`; 0 when none streams. */
function streamingLength(page: Page): Promise<number> {
  return page.evaluate(() =>
    document.querySelector("article.message.assistant.streaming .markdown")?.textContent
      ?.length ?? 0
  );
}

/**
 * Waits for `target` (a reply's statistics, say) while a reply streams in `page`, for as long
 * as that reply keeps growing: it fails only when `target` has not shown and the streaming
 * reply has not grown for `stallMs`. A reply's length in tokens bounds the work, not its
 * time: a loaded 2-core machine has streamed the bundled model at under 15 tok/s, so a long
 * reply can take minutes there and still be fine.
 *
 * @throws AssertionError when the reply stalls for `stallMs` before `target` shows
 */
export async function waitWhileStreaming(
  page: Page,
  target: Locator,
  stallMs: number = WAIT_MS,
): Promise<void> {
  let length = -1;
  let grewAt = Date.now();
  for (;;) {
    try {
      // A slice of the stall budget: between slices, progress is checked.
      await target.waitFor({ timeout: 1_000 });
      return;
    } catch (error) {
      if (!(error instanceof playwrightErrors.TimeoutError)) throw error;
    }
    const now = await streamingLength(page);
    if (now > length) [length, grewAt] = [now, Date.now()];
    assert(
      Date.now() - grewAt < stallMs,
      `the reply stalled at ${length} characters for ${stallMs} ms, before ${target}`,
    );
  }
}
