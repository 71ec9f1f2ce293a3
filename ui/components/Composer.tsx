/**
 * The message box: Enter sends, Shift+Enter adds a line, the button turns into Stop while a
 * reply streams. Images (PNG, JPEG, GIF, BMP) are attached with the image button or pasted,
 * when the loaded model has an mmproj. A long paste becomes a block (PastedBlocks.tsx), sent
 * after the typed text. The context bar sits under it and counts both.
 *
 * @module
 */
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import type { NewImage } from "../api.ts";
import type { Stores } from "../stores/app.ts";
import { ContextBar } from "./ContextBar.tsx";
import { isLongPaste, PastedBlocks, withPastedBlocks } from "./PastedBlocks.tsx";
import { Icon } from "./icons.tsx";

/** Tallest the box grows before it scrolls, in pixels. */
const MAX_HEIGHT_PX = 200;

/** Image types the server stores and libmtmd decodes. */
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/bmp"];

/** An attached image: what is sent, and a preview URL. */
interface Attachment {
  image: NewImage;
  url: string;
  name: string;
}

async function attachment(file: File): Promise<Attachment> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return {
    image: { mime_type: file.type, data_base64: btoa(binary) },
    url: URL.createObjectURL(file),
    name: file.name || "pasted image",
  };
}

/** The composer. */
export function Composer({ stores }: { stores: Stores }): JSX.Element {
  const { conversation, context } = stores;
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [attached, setAttached] = useState<Attachment[]>([]);
  const [pasted, setPasted] = useState<string[]>([]);
  const busy = conversation.busy.value;
  const loaded = stores.models.loaded.value;
  const vision = !!loaded?.mmproj;
  const attach = async (files: Iterable<File>) => {
    const images = [...files].filter((file) => IMAGE_TYPES.includes(file.type));
    if (images.length === 0) return;
    const added = await Promise.all(images.map(attachment));
    setAttached((list) => [...list, ...added]);
  };
  const detach = (index: number) =>
    setAttached((list) => {
      URL.revokeObjectURL(list[index].url);
      return list.filter((_, i) => i !== index);
    });
  const grow = (el: HTMLTextAreaElement) => {
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  };
  // The context bar counts the message as it would be sent.
  const draft = (typed: string, blocks: readonly string[]) =>
    context.setDraft(withPastedBlocks(typed, blocks));
  const setBlocks = (blocks: string[]) => {
    setPasted(blocks);
    draft(area.current?.value ?? "", blocks);
  };
  const send = async () => {
    const el = area.current;
    if (!el || busy || (!el.value.trim() && pasted.length === 0)) return;
    const typed = el.value;
    const blocks = pasted;
    const text = withPastedBlocks(typed, blocks);
    const images = attached;
    el.value = "";
    grow(el);
    setAttached([]);
    setPasted([]);
    context.setDraft("");
    // A failed send gives the text back, unless the user has started typing something new.
    if (!(await conversation.send(text, undefined, images.map((a) => a.image))) && !el.value) {
      el.value = typed;
      grow(el);
      setAttached(images);
      setPasted(blocks);
      context.setDraft(text);
    } else for (const a of images) URL.revokeObjectURL(a.url);
  };
  return (
    <form class="composer" aria-label="New message" onSubmit={(e) => (e.preventDefault(), send())}>
      {attached.length > 0 && (
        <ul class="attachments" aria-label="Attached images">
          {attached.map((a, i) => (
            <li key={a.url}>
              <img src={a.url} alt={a.name} />
              <button
                type="button"
                aria-label={`Remove ${a.name}`}
                onClick={() => detach(i)}
              >
                <Icon name="close" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <PastedBlocks
        blocks={pasted}
        onRemove={(index) =>
          setBlocks(pasted.filter((_, i) =>
            i !== index
          ))}
      />
      {loaded?.vision_error && <p class="notice" role="note">{loaded.vision_error}</p>}
      <div class="composer-box">
        {vision && (
          <>
            <button
              type="button"
              class="attach"
              aria-label="Attach an image"
              title="Attach an image (or paste one)"
              onClick={() => picker.current?.click()}
            >
              <Icon name="image" />
            </button>
            <input
              ref={picker}
              type="file"
              accept={IMAGE_TYPES.join(",")}
              multiple
              hidden
              onChange={(e) => {
                const input = e.currentTarget;
                void attach(input.files ?? []).finally(() => (input.value = ""));
              }}
            />
          </>
        )}
        <textarea
          id="composer-input"
          ref={area}
          rows={1}
          placeholder="Message Hearth…"
          aria-label="Message"
          onInput={(e) => {
            grow(e.currentTarget);
            draft(e.currentTarget.value, pasted);
          }}
          onPaste={(e) => {
            const text = e.clipboardData?.getData("text/plain") ?? "";
            if (isLongPaste(text)) {
              e.preventDefault();
              setBlocks([...pasted, text]);
              return;
            }
            const files = [...(e.clipboardData?.files ?? [])];
            if (
              !vision || !files.some((file) => IMAGE_TYPES.includes(file.type))
            ) {
              return;
            }
            e.preventDefault();
            void attach(files);
          }}
          onKeyDown={(e) => {
            // isComposing: Enter that confirms an IME composition must not send.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {busy
          ? (
            <button
              type="button"
              class="send stop"
              aria-label="Stop (Esc)"
              title="Stop (Esc)"
              onClick={() => conversation.stop()}
            >
              <Icon name="stop" />
            </button>
          )
          : (
            <button type="submit" class="send" aria-label="Send (Enter)" title="Send (Enter)">
              <Icon name="send" />
            </button>
          )}
      </div>
      <ContextBar stores={stores} />
    </form>
  );
}
