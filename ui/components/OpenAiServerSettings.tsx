/**
 * The "Local API server" part of Settings: a toggle that serves the loaded model over the
 * OpenAI API (like `hearth serve`) on the chats' slots, its port, whether other machines may
 * call it, its API key, and its status. Every change is saved and applied at once.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import type { OpenAiServerStore } from "../stores/openai_server.ts";
import type { OpenAiServerSettings as Values } from "../../api/types.ts";
import { NumberField } from "./fields.tsx";
import { OpenAiServerStatus } from "./OpenAiServerStatus.tsx";

/** The OpenAI server settings and status. */
export function OpenAiServerSettings(
  { store, value }: { store: OpenAiServerStore; value: Values },
): JSX.Element {
  useEffect(() => void store.refresh(), [store]);
  const integer = (key: "port") => (n: number | undefined) =>
    n !== undefined && Number.isInteger(n) && store.configure({ [key]: n });
  const check = (key: "enabled" | "all_interfaces") => (e: { currentTarget: HTMLInputElement }) =>
    store.configure({ [key]: e.currentTarget.checked });
  return (
    <div class="field-stack openai-server">
      <label class="check">
        <input type="checkbox" checked={value.enabled} onChange={check("enabled")} />
        Serve the loaded model over the OpenAI API
      </label>
      <OpenAiServerStatus status={store.status.value} />
      <div class="field-grid">
        <NumberField
          label="Port"
          value={value.port}
          min={0}
          max={65535}
          step={1}
          hint="0 = any free port"
          onCommit={integer("port")}
        />
      </div>
      <label class="check">
        <input type="checkbox" checked={value.all_interfaces} onChange={check("all_interfaces")} />
        Serve on all network interfaces (needs an API key)
      </label>
      <ApiKeyField set={value.api_key_set} onChange={(api_key) => store.configure({ api_key })} />
    </div>
  );
}

/** A write-only key: typed to set or replace it, never shown again once saved. */
function ApiKeyField(props: { set: boolean; onChange(key: string | null): void }): JSX.Element {
  return (
    <div class="field wide">
      <span class="field-label" id="api-key-label">
        API key (clients send it as a Bearer token)
      </span>
      <div class="api-key-row">
        <input
          type="password"
          autoComplete="off"
          aria-labelledby="api-key-label"
          placeholder={props.set ? "Set; type a new one to replace it" : "None"}
          onChange={(e) => {
            const key = e.currentTarget.value.trim();
            e.currentTarget.value = "";
            if (key) props.onChange(key);
          }}
        />
        {props.set && (
          <button type="button" class="button" onClick={() => props.onChange(null)}>Remove</button>
        )}
      </div>
    </div>
  );
}
