/**
 * What a new chat starts with where its creator sets nothing. This file imports nothing at
 * run time, so the UI bundle shows a draft chat with the values it will be created with.
 *
 * @module
 */
import type { Overflow } from "./types.ts";

/** The default title of a new chat. */
export const DEFAULT_TITLE = "New chat";

/**
 * The default overflow policy of a new chat: drop the oldest turns and keep the system prompt,
 * as ChatGPT and LM Studio do; the reply says how many messages it left out. (Migration 1's
 * SQL column default is "error"; every insert names the policy, so that default is unused.)
 */
export const DEFAULT_OVERFLOW: Overflow = "truncate-oldest";
