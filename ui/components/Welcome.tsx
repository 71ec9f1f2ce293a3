/**
 * The empty chat: what model will answer, and a way to pick one when none is loaded.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Stores } from "../stores/app.ts";

/** The welcome shown before the first message. */
export function Welcome({ stores }: { stores: Stores }): JSX.Element {
  const name = stores.models.loadedName.value;
  return (
    <div class="welcome">
      <div class="welcome-mark" aria-hidden="true" />
      <h1>What’s on your mind?</h1>
      {name
        ? (
          <p>
            Chatting with <strong>{name}</strong>, entirely on this computer.
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
    </div>
  );
}
