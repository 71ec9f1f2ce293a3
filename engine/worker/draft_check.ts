/**
 * Whether a model can draft for another: llama.cpp's
 * `common_speculative_are_compatible` (common/speculative.cpp), in the engine Worker.
 * The draft's tokens are fed to the target as they are, so both must mean the same
 * text by the same id.
 *
 * @module
 */
import { readCString } from "../../ffi/strings.ts";
import { DraftModelError } from "../errors.ts";
import type { NativeModel } from "./native_model.ts";

/** common/speculative.cpp `SPEC_VOCAB_MAX_SIZE_DIFFERENCE`: vocab sizes may differ by this much. */
export const VOCAB_MAX_SIZE_DIFFERENCE = 128;

/**
 * common/speculative.cpp `SPEC_VOCAB_CHECK_START_TOKEN_ID`: token texts are compared
 * from this id on (the first ids are control tokens that families spell differently).
 */
export const VOCAB_CHECK_START_TOKEN_ID = 5;

/** `enum llama_vocab_type` (llama.h), for messages. */
const VOCAB_TYPES = ["none", "SPM", "BPE", "WPM", "UGM", "RWKV", "PLAMO2"];

/**
 * Checks that `draft` can draft for `target`: same vocabulary type, same BOS and EOS
 * when added, sizes within {@link VOCAB_MAX_SIZE_DIFFERENCE}, same text for every
 * token id from {@link VOCAB_CHECK_START_TOKEN_ID} on.
 *
 * @throws {DraftModelError} naming the first difference.
 */
export function checkDraftVocab(target: NativeModel, draft: NativeModel): void {
  const { llama } = target.libs;
  const fail = (reason: string) => new DraftModelError(draft.info.path, reason);
  if (draft.info.vocabOnly) throw fail("it was loaded vocabOnly (it has no weights to draft with)");
  const tv = target.vocab;
  const dv = draft.vocab;
  const typeT = llama.llama_vocab_type(tv);
  const typeD = llama.llama_vocab_type(dv);
  if (typeT !== typeD) {
    const name = (t: number) => VOCAB_TYPES[t] ?? String(t);
    throw fail(`its vocabulary type is ${name(typeD)}, the target's ${name(typeT)}`);
  }
  const special = (
    what: string,
    add: (v: Deno.PointerObject) => boolean,
    id: typeof llama.llama_vocab_bos,
  ) => {
    if (add(tv) !== add(dv) || (add(tv) && id(tv) !== id(dv))) {
      throw fail(
        `its ${what} token differs from the target's (add ${add(dv)}, id ${id(dv)}; target: add ${
          add(tv)
        }, id ${id(tv)})`,
      );
    }
  };
  special("BOS", llama.llama_vocab_get_add_bos, llama.llama_vocab_bos);
  special("EOS", llama.llama_vocab_get_add_eos, llama.llama_vocab_eos);
  const nT = llama.llama_vocab_n_tokens(tv);
  const nD = llama.llama_vocab_n_tokens(dv);
  if (Math.abs(nT - nD) > VOCAB_MAX_SIZE_DIFFERENCE) {
    throw fail(
      `its vocabulary has ${nD} tokens, the target's ${nT} (at most ${VOCAB_MAX_SIZE_DIFFERENCE} apart)`,
    );
  }
  for (let i = VOCAB_CHECK_START_TOKEN_ID; i < Math.min(nT, nD); i++) {
    const textT = readCString(llama.llama_vocab_get_text(tv, i));
    const textD = readCString(llama.llama_vocab_get_text(dv, i));
    if (textT !== textD) {
      throw fail(
        `token ${i} is ${JSON.stringify(textD)} in its vocabulary, ${
          JSON.stringify(textT)
        } in the target's`,
      );
    }
  }
}
