/**
 * One app per data folder, end to end: real `main.ts --headless` processes on one
 * HEARTH_HOME. A second start exits 0 naming the first, which keeps serving; a start
 * takes over from an app killed with SIGKILL; two starts at once leave exactly one.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";
import { AppProcess as App } from "./_app_process.ts";

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
