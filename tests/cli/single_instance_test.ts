/**
 * One app per data folder, end to end: real `main.ts --headless` processes on one
 * HEARTH_HOME. A second start exits 0 naming the first, which keeps serving; a start
 * takes over from an app killed with SIGKILL; two starts at once leave exactly one.
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVING = /Hearth is serving on (http:\/\/\S+)/;

/** `main.ts` with `args` on data folder `home`, its stderr collected as it comes. */
class App {
  readonly child: Deno.ChildProcess;
  stderr = "";
  readonly #done: Promise<void>;

  constructor(home: string, args: string[] = ["--headless"]) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", ...args],
      cwd: ROOT,
      // No DISPLAY: a start without --headless would open a browser, never a window.
      env: { HEARTH_HOME: home, DISPLAY: "", WAYLAND_DISPLAY: "" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#done = this.child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void (this.stderr += text) }),
    );
  }

  /** Waits for the "serving on" line; returns its launch URL. */
  serving(): Promise<string> {
    return waitFor(`"serving on" from pid ${this.child.pid}`, () => SERVING.exec(this.stderr)?.[1]);
  }

  /**
   * Waits for the process to exit; returns its status and everything it printed.
   *
   * @throws {AssertionError} after `timeoutMs` (it is killed then): it hung.
   */
  async exit(timeoutMs = 60_000): Promise<{ code: number; stderr: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) =>
      timer = setTimeout(() => resolve("hung"), timeoutMs)
    );
    const status = await Promise.race([this.child.status, hung]).finally(() => clearTimeout(timer));
    if (status === "hung") this.child.kill("SIGKILL");
    await this.#done;
    assert(status !== "hung", `pid ${this.child.pid} did not exit; it printed:\n${this.stderr}`);
    return { code: status.code, stderr: this.stderr };
  }

  /** SIGTERM (the app closes and exits 0); returns its exit. */
  stop(): Promise<{ code: number; stderr: string }> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already exited
    }
    return this.exit();
  }
}

/** GET /api/state with the launch URL's secret: the app is up and answering. */
async function state(launchUrl: string): Promise<number> {
  const url = new URL(launchUrl);
  const response = await fetch(`${url.origin}/api/state`, {
    headers: { authorization: `Bearer ${url.searchParams.get("secret")}` },
  });
  await response.body?.cancel();
  return response.status;
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("a second start on the same data folder exits 0; the first keeps serving", async () => {
  await withHome(async (home) => {
    const first = new App(home);
    try {
      const url = await first.serving();
      const headless = await new App(home).exit();
      assertEquals(headless.code, 0, headless.stderr);
      assertEquals(
        headless.stderr.trim(),
        `Hearth is already running (pid ${first.child.pid}) on ${url}`,
      );
      // Not headless: it asks the first to show itself, which, headless, has nothing to show.
      const shown = await new App(home, []).exit();
      assertEquals(shown.code, 0, shown.stderr);
      assert(shown.stderr.includes(`already running (pid ${first.child.pid})`), shown.stderr);
      await waitFor(
        "the first to log the request",
        () => first.stderr.includes("another start asked to show Hearth (none)"),
      );
      assertEquals(await state(url), 200);
    } finally {
      const { code, stderr } = await first.stop();
      assertEquals(code, 0, stderr);
    }
    // The lock is given up on exit: the next start serves.
    const next = new App(home);
    await next.serving().finally(() => next.stop());
  });
});

Deno.test("a start takes over the data folder of an app killed with SIGKILL", async () => {
  await withHome(async (home) => {
    const killed = new App(home);
    await killed.serving();
    killed.child.kill("SIGKILL");
    await killed.exit();
    const next = new App(home);
    try {
      assertEquals(await state(await next.serving()), 200);
    } finally {
      await next.stop();
    }
  });
});

Deno.test("two starts at the same moment leave exactly one app running", async () => {
  await withHome(async (home) => {
    const apps = [new App(home), new App(home)];
    try {
      const done: number[] = [];
      apps.forEach((app, i) => app.child.status.then(() => done.push(i)));
      const exited = await waitFor("one of the two to exit", () => done[0]);
      const [loser, winner] = exited === 0 ? apps : [apps[1], apps[0]];
      const lost = await loser.exit();
      assertEquals(lost.code, 0, lost.stderr);
      const url = await winner.serving();
      assertEquals(
        lost.stderr.trim(),
        `Hearth is already running (pid ${winner.child.pid}) on ${url}`,
      );
      assertEquals(await state(url), 200);
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
    }
    // Both gone, and nothing of the winner's instance info is left.
    await Deno.stat(join(home, "instance.json")).then(
      () => assert(false, "instance.json outlived its app"),
      () => {},
    );
  });
});
