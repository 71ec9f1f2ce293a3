/**
 * Colours of the terminal UI, and the switch that turns them off (`NO_COLOR`). Views ask
 * {@link useTheme} for a colour by role; with colours off they get `undefined` and draw
 * with bold, dim and inverse only, so roles stay apart without colour.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";

/** What a colour is for. */
export type ColorRole = "user" | "assistant" | "system" | "accent" | "error" | "muted" | "focus";

const COLORS: Record<ColorRole, string> = {
  user: "cyan",
  assistant: "magenta",
  system: "yellow",
  accent: "green",
  error: "red",
  muted: "gray",
  focus: "cyan",
};

/** The colours in use. */
export interface Theme {
  /** The ink colour name for `role`, or undefined when colours are off. */
  color(role: ColorRole): string | undefined;
}

/** A theme; `noColor` turns every colour off. */
export function createTheme(noColor: boolean): Theme {
  return { color: (role) => noColor ? undefined : COLORS[role] };
}

/** Provides the theme to the views. */
export const ThemeContext: React.Context<Theme> = React.createContext(createTheme(false));

/** The theme of the nearest {@link ThemeContext} provider. */
export function useTheme(): Theme {
  return React.useContext(ThemeContext);
}
