/**
 * The terminal UI's frame cost without a model: the real root view and store over a
 * real app core (temp database), drawn by ink into an in-memory 120x40 terminal, while a
 * synthetic reply streams into the open chat as fast as timers go (4 characters every
 * millisecond, the story text stories260K writes, with 3 earlier turns above it) and a
 * key arrives every 100 ms. Nothing else competes for the CPU, so the figures are the
 * drawing's own cost; `bench/tui_frames.ts` measures the real program in tmux.
 *
 *     NODE_ENV=production deno run -A bench/tui_frames_synthetic.ts [characters] [rounds]
 *
 * To compare with another checkout, copy this file into its bench/ folder and run it
 * there. Prints a JSON line per round: the FrameSummary figures (tui/frame_stats.ts) and
 * `cpuMsPerFrame`, the process's CPU time over the stream divided by its frames.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { EventEmitter } from "node:events";
import process from "node:process";
import { render } from "ink";
import { offlineApp } from "../tests/app/_offline_app.ts";
import { Root } from "../tui/root.ts";
import { TuiStore } from "../tui/store.ts";
import { createTheme, ThemeContext } from "../tui/theme.ts";
import { FrameStats } from "../tui/frame_stats.ts";
import type { ReplyEvent } from "../app/replies.ts";

const h = React.createElement;
const characters = Number(Deno.args[0] ?? 6000);
const rounds = Number(Deno.args[1] ?? 1);
const PARAGRAPHS = [
  "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.",
  "Lily's mom said, \"Lily, let's go to the park.\" Lily was sad and didn't know what to do. She said, \"I want to play with your ball, but I can't find it.\"",
  "Lily and her mom went to the park to play. They played together and had fun. After a while, Lily's mom came into the room and saw the park.",
];
const story = Array.from({ length: 200 }, (_, i) => PARAGRAPHS[i % 3]).join("\n")
  .slice(0, characters);

/** An in-memory terminal of 120x40 that keeps nothing. */
class Screen extends EventEmitter {
  isTTY = true;
  columns = 120;
  rows = 40;
  write = () => true;
}

/** Keys typed into the view. */
class Keyboard extends EventEmitter {
  isTTY = true;
  #data: string | null = null;
  write(data: string) {
    this.#data = data;
    this.emit("readable");
  }
  read = () => {
    const data = this.#data;
    this.#data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

async function round(): Promise<Record<string, number>> {
  const offline = await offlineApp();
  const { app } = offline;
  const chat = app.storage.chats.create({ title: "Story" });
  let parent: string | null = null;
  for (let i = 0; i < 4; i++) {
    const user = app.storage.messages.add(chat.id, {
      parent_id: parent,
      role: "user",
      content: `Once upon a time ${i}`,
    });
    parent = app.storage.messages.add(chat.id, {
      parent_id: user.id,
      role: "assistant",
      content: i < 3 ? story.slice(0, 1500) : "",
      state: i < 3 ? "complete" : "streaming",
    }).id;
  }
  // The reply streams from here instead of a model.
  let watcher: ((event: ReplyEvent) => void) | undefined;
  app.replies.watch = (_id, w) => {
    watcher = w;
    return { content: "", tokens: 0, waiting: false, unwatch: () => (watcher = undefined) };
  };
  const store = new TuiStore(app);
  const stats = new FrameStats();
  const keyboard = new Keyboard();
  const instance = render(
    h(
      ThemeContext.Provider,
      { value: createTheme(false) },
      h(Root, { app, store, layout: "sidebar", onQuit: () => {}, onKey: (at) => stats.key(at) }),
    ),
    {
      stdout: new Screen() as never,
      stderr: new Screen() as never,
      stdin: keyboard as never,
      exitOnCtrlC: false,
      interactive: true,
      maxFps: 60,
      patchConsole: false,
      onRender: ({ renderTime }) => stats.frame(renderTime, store.state.streaming !== null),
    },
  );
  // CPU time is what a busy machine cannot inflate: the process's, over the stream, per
  // frame (React, layout and drawing; the synthetic reply's own work is the same in
  // every checkout).
  const cpuBefore = process.cpuUsage();
  store.open(chat.id);
  let lastKey = performance.now();
  for (let at = 0; at < story.length; at += 4) {
    watcher?.({ type: "delta", text: story.slice(at, at + 4) });
    if (performance.now() - lastKey > 100) {
      keyboard.write("x");
      lastKey = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const summary = stats.summary();
  await new Promise((resolve) => setTimeout(resolve, 100));
  instance.unmount();
  store.close();
  await offline.close();
  return { ...summary, cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / summary.streamFrames };
}

for (let i = 0; i < rounds; i++) {
  const summary = await round();
  const rounded = Object.entries(summary).map(([k, v]) => [k, Math.round(v * 10) / 10]);
  console.log(JSON.stringify(Object.fromEntries(rounded)));
}
