/**
 * App settings: theme, the defaults new chats start from, the folders searched for models, the
 * Hugging Face token, and the local OpenAI API server.
 * Every change is saved at once (the native-app way; there is no Save button).
 *
 * @module
 */
import type { JSX } from "preact";
import type { Stores } from "../stores/app.ts";
import { isChatModel } from "../stores/library.ts";
import type { Settings } from "../../api/types.ts";
import { Dialog } from "./Dialog.tsx";
import { Field, NumberField } from "./fields.tsx";
import { ModelFolders } from "./ModelFolders.tsx";
import { OpenAiServerSettings } from "./OpenAiServerSettings.tsx";
import { ProvidersSettings } from "./ProvidersSettings.tsx";
import { HubTokenSettings } from "./HubTokenSettings.tsx";
import { SamplingFields } from "./SamplingFields.tsx";

const THEMES: [Settings["theme"], string][] = [["system", "System"], ["light", "Light"], [
  "dark",
  "Dark",
]];

/** The settings dialog. */
export function SettingsDialog({ stores }: { stores: Stores }): JSX.Element {
  const { settings, view } = stores;
  const value = settings.settings.value;
  return (
    <Dialog title="Settings" onClose={view.closeDialog}>
      {!value ? <p class="muted">Loading…</p> : (
        <div class="settings-form">
          <div class="field wide">
            <span class="field-label" id="theme-label">Appearance</span>
            <div class="segmented" role="radiogroup" aria-labelledby="theme-label">
              {THEMES.map(([theme, label]) => (
                <button
                  key={theme}
                  type="button"
                  role="radio"
                  aria-checked={value.theme === theme}
                  onClick={() => settings.update({ theme })}
                >
                  {label}
                </button>
              ))}
            </div>
          </div>
          <Field label="Default model (loaded at start, used by chats without their own)">
            <select
              value={value.default_model ?? ""}
              onChange={(e) => settings.update({ default_model: e.currentTarget.value || null })}
            >
              <option value="">The bundled model</option>
              {stores.models.list.value.filter(isChatModel).map((m) => (
                <option key={m.path} value={m.path}>{m.name}</option>
              ))}
            </select>
          </Field>
          <h3>Defaults for new chats</h3>
          <Field label="System prompt">
            <textarea
              rows={3}
              value={value.system_prompt}
              onChange={(e) => settings.update({ system_prompt: e.currentTarget.value })}
            />
          </Field>
          <SamplingFields
            value={value.sampling}
            onChange={(s) => settings.update({ sampling: { ...value.sampling, ...s } })}
          />
          <div class="field-grid">
            <NumberField
              label="Context length"
              value={value.n_ctx}
              min={256}
              step={256}
              hint="n_ctx in tokens, per slot"
              onCommit={(n) => n && settings.update({ n_ctx: n })}
            />
            <NumberField
              label="Replies at once"
              value={value.n_parallel}
              min={1}
              max={256}
              step={1}
              hint="Slots: chats (and API requests) generating together; each keeps a chat's cache"
              onCommit={(n) =>
                n !== undefined && Number.isInteger(n) && n >= 1 &&
                settings.update({ n_parallel: n })}
            />
          </div>
          <h3>Model folders</h3>
          <ModelFolders
            folders={value.model_folders}
            onChange={async (model_folders) => {
              await settings.update({ model_folders });
              await stores.models.refresh();
            }}
          />
          <h3>Hugging Face</h3>
          <HubTokenSettings store={stores.hubToken} />
          <h3>Local API server</h3>
          <OpenAiServerSettings store={stores.openAiServer} value={value.openai_server} />
          <h3>Providers</h3>
          <ProvidersSettings store={stores.providers} />
        </div>
      )}
    </Dialog>
  );
}
