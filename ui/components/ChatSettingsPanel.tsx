/**
 * Settings of the open chat (or of the draft before its first message): model, system prompt,
 * sampling, n_ctx and what to do when the context overflows. Empty fields use the defaults
 * from Settings.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { DEFAULT_OVERFLOW } from "../../api/types.ts";
import type { Stores } from "../stores/app.ts";
import { isChatModel } from "../stores/library.ts";
import type { OverflowPolicy } from "../../api/types.ts";
import { Field, NumberField, useTyping } from "./fields.tsx";
import { SamplingFields } from "./SamplingFields.tsx";

/** The chat settings form. */
export function ChatSettingsPanel({ stores }: { stores: Stores }): JSX.Element {
  const { conversation, settings, models, providers } = stores;
  useEffect(() => void providers.refresh(), [providers]);
  const chat = conversation.chat.value ?? conversation.draft.value;
  const defaults = settings.settings.value;
  const patch = conversation.patch;
  const systemPrompt = useTyping(chat.system_prompt ?? "");
  return (
    <div class="settings-form">
      <Field label="Model">
        <select
          value={chat.model ?? ""}
          onChange={(e) => patch({ model: e.currentTarget.value || null })}
        >
          <option value="">Default model</option>
          <optgroup label="On this machine">
            {models.list.value.filter(isChatModel).map((m) => (
              <option key={m.path} value={m.path}>{m.name}</option>
            ))}
          </optgroup>
          {providers.list.value.map((p) => {
            const ids = providers.models.value[p.name] ?? [];
            const current = chat.model?.startsWith(`${p.name}:`) ? chat.model : null;
            // A typed model id the provider does not list stays selectable.
            const all = current && !ids.includes(current.slice(p.name.length + 1))
              ? [current.slice(p.name.length + 1), ...ids]
              : ids;
            return (
              <optgroup key={p.name} label={`${p.name} (cloud)`}>
                {all.map((id) => <option key={id} value={`${p.name}:${id}`}>{id}</option>)}
              </optgroup>
            );
          })}
        </select>
      </Field>
      {providers.list.value.length > 0 && (
        // Providers without a model list take typed ids.
        <Field label="Or a provider's model id">
          <input
            value={providers.list.value.some((p) => chat.model?.startsWith(`${p.name}:`))
              ? chat.model ?? ""
              : ""}
            placeholder={`${providers.list.value[0].name}:MODEL`}
            onChange={(e) => patch({ model: e.currentTarget.value.trim() || null })}
          />
        </Field>
      )}
      <Field label="System prompt">
        <textarea
          rows={4}
          value={systemPrompt.value}
          placeholder={defaults?.system_prompt || "You are a helpful assistant."}
          onInput={systemPrompt.onInput}
          onChange={(e) => {
            patch({ system_prompt: e.currentTarget.value });
            systemPrompt.done();
          }}
          onBlur={systemPrompt.done}
        />
      </Field>
      <h3>Sampling</h3>
      <SamplingFields
        value={chat.sampling ?? {}}
        defaults={defaults?.sampling}
        onChange={(sampling) => patch({ sampling })}
      />
      <h3>Context</h3>
      <div class="field-stack">
        <NumberField
          label="Context length"
          value={chat.n_ctx}
          placeholder={defaults?.n_ctx.toString()}
          min={256}
          step={256}
          hint="n_ctx in tokens; applies when the model is next loaded"
          onCommit={(n) => patch({ n_ctx: n ?? null })}
        />
        <Field label="When full">
          <select
            value={chat.overflow ?? DEFAULT_OVERFLOW}
            onChange={(e) => patch({ overflow: e.currentTarget.value as OverflowPolicy })}
          >
            <option value="truncate-oldest">Drop the oldest messages</option>
            <option value="error">Stop with an error</option>
          </select>
        </Field>
      </div>
    </div>
  );
}
