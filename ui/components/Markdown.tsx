/**
 * Sanitized Markdown in a `<div>` whose HTML this component sets itself, outside Preact's
 * diffing: a streaming source re-renders only this element's content, throttled, and the
 * component never re-renders per token. Clicks on a code block's Copy button copy its code.
 * Code or math shown plain while highlight.js or KaTeX loads is rendered again once they are in.
 *
 * @module
 */
import type { ReadonlySignal } from "@preact/signals";
import type { JSX } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { copyText } from "../lib/clipboard.ts";
import { hasPendingParts, type MarkdownRenderer } from "../lib/markdown.ts";
import { onRenderLibraryLoaded } from "../lib/lazy_library.ts";
import { throttledEffect } from "../lib/throttle.ts";

/** Props of {@link Markdown}. */
export type MarkdownProps = {
  /** Fixed text, or a signal that grows while a reply streams. */
  source: string | ReadonlySignal<string>;
  render: MarkdownRenderer;
  /** Called after each render (the chat view keeps the bottom in sight). */
  onRendered?: () => void;
};

/** Parse period while streaming, in milliseconds (about 20 updates a second is smooth). */
const STREAM_RENDER_MS = 50;

/** Rendered Markdown. */
export function Markdown({ source, render, onRendered }: MarkdownProps): JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  // Layout effect: a finished message has its HTML before the first paint, no empty flash.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const apply = (text: string) => {
      el.innerHTML = render(text);
      onRendered?.();
    };
    const again = onRenderLibraryLoaded(() => {
      if (hasPendingParts(el)) apply(typeof source === "string" ? source : source.peek());
    });
    if (typeof source === "string") {
      apply(source);
      return again;
    }
    const stop = throttledEffect(source, apply, STREAM_RENDER_MS);
    return () => {
      again();
      stop();
    };
  }, [source, render]);
  return <div class="markdown" ref={ref} onClick={copyCode} />;
}

async function copyCode(event: MouseEvent) {
  const button = (event.target as Element).closest?.("button.copy-code");
  const code = button?.closest(".code-block")?.querySelector("code");
  if (!button || !code) return;
  if (await copyText(code.textContent ?? "")) {
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  }
}
