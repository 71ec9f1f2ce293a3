/**
 * The assertions tests use: node:assert's, which Deno ships (JSR's @std/assert cannot
 * be fetched where these tests run), under std's names.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Asserts deep equality. */
export const assertEquals: <T>(actual: unknown, expected: T, message?: string) => void =
  assert.deepStrictEqual;
/** Asserts a truthy value. */
export const assert_: (value: unknown, message?: string) => asserts value = assert.ok;
export { assert_ as assert };

/** Asserts that `fn` rejects with an instance of `ErrorClass` whose message includes `includes`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  ErrorClass: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  throw new assert.AssertionError({ message: `expected ${ErrorClass.name} to be thrown` });
}

/** Asserts that `fn` throws synchronously like {@link assertRejects}. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  ErrorClass: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  throw new assert.AssertionError({ message: `expected ${ErrorClass.name} to be thrown` });
}

function checkError<E extends Error>(
  error: unknown,
  ErrorClass: new (...args: never[]) => E,
  includes: string | undefined,
): E {
  assert.ok(error instanceof ErrorClass, `expected ${ErrorClass.name}, got ${error}`);
  if (includes) {
    assert.ok(
      error.message.includes(includes),
      `expected message to include "${includes}", got "${error.message}"`,
    );
  }
  return error;
}
