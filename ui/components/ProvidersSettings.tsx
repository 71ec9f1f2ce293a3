/**
 * The "Providers" part of Settings: remote OpenAI-compatible services a chat can use. Each
 * row shows the base URL and where its key comes from, with Test (round-trip time and model
 * count), Edit and Remove; the form below adds or edits one. Keys are write-only: the field
 * is always empty, and leaving it empty keeps the saved key.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { PresetId, Provider } from "../../api/types.ts";
import type { ProvidersStore } from "../stores/providers.ts";
import { Field } from "./fields.tsx";

const KEY_SOURCE = { file: "key saved", env: "key from environment" } as const;

/** The providers list and its form. */
export function ProvidersSettings({ store }: { store: ProvidersStore }): JSX.Element {
  useEffect(() => void store.refresh(), [store]);
  const [editing, setEditing] = useState<Provider | null>(null);
  const tests = store.tests.value;
  return (
    <div class="field-stack providers">
      {store.list.value.length === 0 && (
        <p class="hint">
          No providers: chats run on this machine.
        </p>
      )}
      <ul class="provider-list">
        {store.list.value.map((p) => {
          const test = tests[p.name];
          return (
            <li key={p.name} class="provider-row">
              <span class="provider-name">{p.name}</span>
              <span class="hint">
                {p.base_url} · {p.key_source ? KEY_SOURCE[p.key_source] : "no key"}
              </span>
              <span class="provider-test" aria-live="polite">
                {test === undefined
                  ? ""
                  : typeof test === "string"
                  ? test
                  : `${test.rtt_ms} ms, ${test.model_count} models`}
              </span>
              <button type="button" onClick={() => store.test(p.name)}>Test</button>
              <button type="button" onClick={() => setEditing(p)}>Edit</button>
              <button type="button" onClick={() => store.remove(p.name)}>Remove</button>
            </li>
          );
        })}
      </ul>
      <ProviderForm
        key={editing?.name ?? "new"}
        store={store}
        editing={editing}
        onDone={() => setEditing(null)}
      />
    </div>
  );
}

function ProviderForm(
  { store, editing, onDone }: {
    store: ProvidersStore;
    editing: Provider | null;
    onDone(): void;
  },
): JSX.Element {
  const [name, setName] = useState(editing?.name ?? "");
  const [preset, setPreset] = useState<PresetId>(editing?.preset ?? "openrouter");
  const [baseUrl, setBaseUrl] = useState(editing?.base_url ?? "");
  const [key, setKey] = useState("");
  const [concurrency, setConcurrency] = useState(editing?.concurrency ?? 5);
  const presets = store.presets.value;
  const submit = async (e: Event) => {
    e.preventDefault();
    const saved = await store.save(editing ? editing.name : null, {
      ...(editing ? {} : { name }),
      preset,
      ...(baseUrl ? { base_url: baseUrl } : {}),
      ...(key ? { api_key: key } : {}),
      concurrency,
    });
    if (saved) {
      setKey("");
      if (!editing) setName("");
      onDone();
    }
  };
  return (
    <form class="provider-form" onSubmit={submit}>
      <h4>{editing ? `Edit ${editing.name}` : "Add a provider"}</h4>
      {!editing && (
        <Field label="Name">
          <input
            value={name}
            placeholder="openrouter"
            pattern="[a-z0-9][a-z0-9_\-]{0,31}"
            required
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
      )}
      <Field label="Service">
        <select
          value={preset}
          onChange={(e) => {
            const next = e.currentTarget.value as PresetId;
            setPreset(next);
            setBaseUrl(presets[next]?.baseUrl ?? "");
          }}
        >
          {Object.entries(presets).map(([id, p]) => <option key={id} value={id}>{p.label}</option>)}
        </select>
      </Field>
      <Field label="Base URL">
        <input
          value={baseUrl}
          placeholder={presets[preset]?.baseUrl || "http://127.0.0.1:8080/v1"}
          required={preset === "custom"}
          onInput={(e) => setBaseUrl(e.currentTarget.value)}
        />
      </Field>
      <Field label="API key">
        <input
          type="password"
          autocomplete="off"
          value={key}
          placeholder={editing?.key_source
            ? "unchanged"
            : presets[preset]?.apiKeyEnv
            ? `or set $${presets[preset]?.apiKeyEnv}`
            : "none needed"}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
      </Field>
      <Field label="Requests at once">
        <input
          type="number"
          min={1}
          max={32}
          step={1}
          value={concurrency}
          onInput={(e) => setConcurrency(Number(e.currentTarget.value) || 5)}
        />
      </Field>
      <div class="form-actions">
        {editing && <button type="button" onClick={onDone}>Cancel</button>}
        <button type="submit">{editing ? "Save" : "Add"}</button>
      </div>
    </form>
  );
}
