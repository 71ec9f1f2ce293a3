import { assertEquals } from "../../tests/assert.ts";
import { Arrivals } from "./arrivals.ts";

Deno.test("Arrivals wakes each waiter once, at the next arrival only", () => {
  const arrivals = new Arrivals();
  const woken: string[] = [];
  arrivals.next(() => woken.push("a"));
  arrivals.next(() => woken.push("b"));
  arrivals.arrived();
  arrivals.arrived();
  assertEquals(woken, ["a", "b"]);
});

Deno.test("Arrivals does not wake a waiter that cancelled", () => {
  const arrivals = new Arrivals();
  const woken: string[] = [];
  const cancel = arrivals.next(() => woken.push("cancelled"));
  arrivals.next(() => woken.push("kept"));
  cancel();
  arrivals.arrived();
  assertEquals(woken, ["kept"]);
});

Deno.test("Arrivals wakes a waiter added by another waiter at the arrival after", () => {
  const arrivals = new Arrivals();
  const woken: number[] = [];
  arrivals.next(() => {
    woken.push(1);
    arrivals.next(() => woken.push(2));
  });
  arrivals.arrived();
  assertEquals(woken, [1]);
  arrivals.arrived();
  assertEquals(woken, [1, 2]);
});
