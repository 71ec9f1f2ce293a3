/**
 * The Worker's check of token ids from the main thread, before any reaches llama.cpp
 * (which reads out of bounds on an id outside the vocabulary).
 *
 * @module
 */

/**
 * Checks every id is an integer in [0, nVocab).
 *
 * @throws {RangeError} naming the first bad id and its index.
 */
export function checkTokens(tokens: readonly number[], nVocab: number): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < 0 || t >= nVocab) {
      throw new RangeError(`tokens[${i}] must be a token id in [0, ${nVocab}), got ${t}`);
    }
  }
}
