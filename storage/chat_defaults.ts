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
 * The default overflow policy of a new chat: stop with an error rather than silently drop
 * messages. Migration 1 spells the same value as the column's SQL default.
 */
export const DEFAULT_OVERFLOW: Overflow = "error";
