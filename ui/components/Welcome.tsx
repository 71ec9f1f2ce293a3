/**
 * The empty chat: what model will answer, and a way to pick one when none is loaded. While the
 * bundled model (a tiny demo that writes children's stories) or none would answer, it says so
 * and suggests small real models to download.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Stores } from "../stores/app.ts";
import { StaffPicks } from "./StaffPicks.tsx";

/** The welcome shown before the first message. */
export function Welcome({ stores }: { stores: Stores }): JSX.Element {
  const name = stores.models.loadedName.value;
  const loadedPath = stores.models.loaded.value?.path;
  const entry = stores.models.list.value.find((m) => m.path === loadedPath);
  // Only once the state is known and no load runs: the picks must not flash at start.
  const known = stores.settings.settings.value !== null && !stores.models.loading.value;
  const demo = known && (!loadedPath || entry?.bundled === true);
  return (
    <div class="welcome">
      <div class="welcome-mark" aria-hidden="true" />
      <h1>What’s on your mind?</h1>
      {name
        ? (
          <p>
            Chatting with <strong>{name}</strong>, entirely on this computer.
            {demo && " It is a tiny demo model that only writes short children's stories."}
          </p>
        )
        : (
          <p>
            No model is loaded.{" "}
            <button type="button" class="link" onClick={() => stores.view.openDialog("models")}>
              Choose a model
            </button>
          </p>
        )}
      {demo && <StaffPicks stores={stores} />}
    </div>
  );
}
