import { getRepoFolderName } from "@huggingface/hub";
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { checkRepoId, checkRepoPath, isCommitHash, repoFolderName, resolveUrl } from "./_repo.ts";

Deno.test("repoFolderName() names cache folders as huggingface.js does", () => {
  for (const name of ["ggml-org/models", "gpt2", "Qwen/Qwen2.5-0.5B-Instruct-GGUF"]) {
    assertEquals(repoFolderName(name), getRepoFolderName({ name, type: "model" }));
  }
});

Deno.test("checkRepoId() accepts org/name and refuses paths that escape", () => {
  checkRepoId("ggml-org/models");
  checkRepoId("gpt2");
  for (const bad of ["", "a/b/c", "../x", "a/..", "/a", "a--b/c", "a b/c", "a/b\\c"]) {
    assertThrows(() => checkRepoId(bad), TypeError, 'expected "org/name"');
  }
});

Deno.test("checkRepoPath() refuses absolute, dotted and empty segments", () => {
  checkRepoPath("dir/model.gguf");
  for (const bad of ["", "/etc/passwd", "a/../b", "./a", "a//b", "a\\b", "..", "a/"]) {
    assertThrows(() => checkRepoPath(bad), TypeError, "expected a relative path");
  }
});

Deno.test("isCommitHash() is true for 40 lowercase hex digits only", () => {
  assertEquals(isCommitHash("a".repeat(40)), true);
  assertEquals(isCommitHash("main"), false);
  assertEquals(isCommitHash("A".repeat(40)), false);
});

Deno.test("resolveUrl() encodes revision and path segments but keeps slashes", () => {
  assertEquals(
    resolveUrl("https://hf.co/", "o/n", "refs/pr/1", "dir/a b#.gguf"),
    "https://hf.co/o/n/resolve/refs%2Fpr%2F1/dir/a%20b%23.gguf",
  );
});
