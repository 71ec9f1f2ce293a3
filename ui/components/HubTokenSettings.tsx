/**
 * The Hugging Face token field: typed to save or replace it, never shown again; says whether
 * the token in use was saved here or comes from `HF_TOKEN`. Gated and private repositories
 * need it.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import type { HubTokenStore } from "../stores/hub_token.ts";

const STATUS = {
  settings: "A token is saved; type a new one to replace it",
  env: "Using HF_TOKEN from the environment; a token saved here takes its place",
  none: "None: gated and private models cannot be downloaded",
};

/** The token field of the settings dialog. */
export function HubTokenSettings({ store }: { store: HubTokenStore }): JSX.Element {
  useEffect(() => void store.refresh(), []);
  const source = store.source.value;
  return (
    <div class="field wide hub-token">
      <span class="field-label" id="hub-token-label">Hugging Face access token</span>
      <div class="api-key-row">
        <input
          type="password"
          autoComplete="off"
          aria-labelledby="hub-token-label"
          placeholder={source === "settings" ? "Saved" : "hf_…"}
          onKeyDown={(e) => {
            if (e.key !== "Enter") return;
            e.preventDefault();
            e.currentTarget.blur();
          }}
          onChange={(e) => {
            const token = e.currentTarget.value.trim();
            e.currentTarget.value = "";
            if (token) store.set(token);
          }}
        />
        {source === "settings" && (
          <button
            type="button"
            class="button"
            onClick={() => store.set(null)}
          >
            Remove
          </button>
        )}
      </div>
      {source !== undefined && (
        <span class="muted hub-token-status" data-source={source ?? "none"}>
          {STATUS[source ?? "none"]}
        </span>
      )}
    </div>
  );
}
