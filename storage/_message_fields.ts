/**
 * Message rows and the validation of message fields, shared by the message store and
 * import.
 *
 * @module
 */
import { parseJson, type Row } from "./_sql.ts";
import {
  checkInteger,
  checkKeys,
  checkMetrics,
  checkObject,
  checkOneOf,
  checkSampling,
  checkString,
  checkStringOrNull,
  FINISH_REASONS,
  ROLES,
  STATES,
} from "./_validate.ts";
import type { FinishedMessage, NewMessage } from "./messages.ts";
import type { FinishReason, Message, MessageState } from "./types.ts";

const BACKENDS = ["local", "remote"] as const;

const NEW_MESSAGE_KEYS = [
  "parent_id",
  "role",
  "content",
  "model",
  "sampling",
  "metrics",
  "state",
  "finish_reason",
  "dropped_messages",
  "backend",
  "provider",
];
const FINISH_KEYS = ["state", "finish_reason", "metrics", "content", "dropped_messages", "error"];
/** The message columns, in the order of {@link Message}. */
export const MESSAGE_COLUMNS =
  "id, chat_id, parent_id, role, content, model, sampling, metrics, created_at, state, " +
  "finish_reason, dropped_messages, backend, provider, error";

/** Turns a row of {@link MESSAGE_COLUMNS} into a {@link Message}. */
export function rowToMessage(row: Row): Message {
  const message: Message = {
    id: row.id as string,
    chat_id: row.chat_id as string,
    parent_id: row.parent_id as string | null,
    role: row.role as Message["role"],
    content: row.content as string,
    model: row.model as string | null,
    sampling: parseJson(row.sampling),
    metrics: parseJson(row.metrics),
    created_at: Number(row.created_at),
    state: row.state as MessageState,
    finish_reason: row.finish_reason as FinishReason | null,
  };
  if (row.dropped_messages !== null) message.dropped_messages = Number(row.dropped_messages);
  if (row.backend !== null) message.backend = row.backend as Message["backend"];
  if (row.provider !== null) message.provider = row.provider as string;
  if (row.error != null) message.error = row.error as string;
  return message;
}

/** Validates a new message; unknown keys are a `TypeError`. */
export function checkNewMessage(value: unknown): NewMessage {
  const fields = checkObject(value, "message");
  checkKeys(fields, "", NEW_MESSAGE_KEYS);
  const message: NewMessage = {
    parent_id: checkStringOrNull(fields.parent_id, "parent_id"),
    role: checkOneOf(fields.role, "role", ROLES),
    content: checkString(fields.content ?? "", "content"),
    model: checkStringOrNull(fields.model ?? null, "model"),
    sampling: fields.sampling == null ? null : checkSampling(fields.sampling, "sampling"),
    metrics: fields.metrics == null ? null : checkMetrics(fields.metrics, "metrics"),
    state: checkOneOf(fields.state ?? "complete", "state", STATES),
    finish_reason: fields.finish_reason == null
      ? null
      : checkOneOf(fields.finish_reason, "finish_reason", FINISH_REASONS),
  };
  if (fields.dropped_messages !== undefined) {
    message.dropped_messages = checkInteger(
      fields.dropped_messages,
      "dropped_messages",
      0,
      2 ** 31,
    );
  }
  if (fields.backend != null) message.backend = checkOneOf(fields.backend, "backend", BACKENDS);
  if (fields.provider != null) message.provider = checkString(fields.provider, "provider");
  return message;
}

/** Validates how a streaming reply ended; unknown keys are a `TypeError`. */
export function checkFinished(value: unknown): FinishedMessage {
  const fields = checkObject(value, "result");
  checkKeys(fields, "", FINISH_KEYS);
  const finished: FinishedMessage = {
    state: checkOneOf(fields.state, "state", STATES.filter((s) => s !== "streaming")),
    finish_reason: fields.finish_reason == null
      ? null
      : checkOneOf(fields.finish_reason, "finish_reason", FINISH_REASONS),
    metrics: fields.metrics == null ? null : checkMetrics(fields.metrics, "metrics"),
  };
  if (fields.content !== undefined) finished.content = checkString(fields.content, "content");
  if (fields.dropped_messages !== undefined) {
    finished.dropped_messages = checkInteger(
      fields.dropped_messages,
      "dropped_messages",
      0,
      2 ** 31,
    );
  }
  if (fields.error != null) finished.error = checkString(fields.error, "error");
  return finished;
}
