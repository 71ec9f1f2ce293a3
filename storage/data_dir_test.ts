import { assertEquals } from "../tests/assert.ts";
import { dataDir } from "./data_dir.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("dataDir() prefers HEARTH_HOME", () => {
  const env = envOf({ HEARTH_HOME: "/srv/hearth", XDG_DATA_HOME: "/x" });
  assertEquals(dataDir(env, "/home/ada"), "/srv/hearth");
});

Deno.test("dataDir() uses XDG_DATA_HOME/hearth next", () => {
  assertEquals(dataDir(envOf({ XDG_DATA_HOME: "/x/data" }), "/home/ada"), "/x/data/hearth");
});

Deno.test("dataDir() falls back to ~/.local/share/hearth", () => {
  assertEquals(dataDir(envOf({}), "/home/ada"), "/home/ada/.local/share/hearth");
});

Deno.test("dataDir() treats empty variables as unset and ignores a relative XDG_DATA_HOME", () => {
  assertEquals(dataDir(envOf({ HEARTH_HOME: "" }), "/h"), "/h/.local/share/hearth");
  assertEquals(dataDir(envOf({ XDG_DATA_HOME: "" }), "/h"), "/h/.local/share/hearth");
  assertEquals(dataDir(envOf({ XDG_DATA_HOME: "rel/data" }), "/h"), "/h/.local/share/hearth");
});
