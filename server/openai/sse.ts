/**
 * The one server-sent-events helper of the OpenAI API: each event is one
 * `data: <json>` line, the stream ends with `data: [DONE]`, an error after the
 * headers went out is sent as `data: {"error": ...}` (which the openai SDK throws),
 * and a client that goes away aborts the request's generation.
 *
 * @module
 */
import { toOpenAiError } from "./errors.ts";

const encoder = new TextEncoder();

/**
 * Streams `events` as SSE. Events are pulled one at a time as the client reads, so
 * a slow client slows the pull rather than buffering without bound.
 *
 * @param events JSON-serializable events, in order.
 * @param abort Aborted when the client cancels the response (disconnects).
 */
export function sseResponse(events: AsyncIterable<unknown>, abort: AbortController): Response {
  const iterator = events[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) {
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
        } else {
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(next.value)}\n\n`));
        }
      } catch (error) {
        if (abort.signal.aborted) return controller.close();
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(toOpenAiError(error))}\n\n`));
        controller.close();
      }
    },
    cancel() {
      abort.abort(new DOMException("The client closed the stream", "AbortError"));
      // The generator may be mid-await; return() runs once that await settles.
      iterator.return?.().catch(() => {});
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}
