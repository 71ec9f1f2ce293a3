/**
 * The `model` field: required, as in OpenAI's API, and it must name the served model.
 *
 * @module
 */
import { OpenAiError } from "./errors.ts";
import { requiredString } from "./fields.ts";

/**
 * Checks that `value` names the served model: its id or one of its aliases.
 *
 * @param aliases Other names requests may use (`hearth serve --alias`). Default none.
 * @throws {OpenAiError} 400 when absent or not a string, 404 `model_not_found` for
 *   another model.
 */
export function checkModel(
  value: unknown,
  servedId: string,
  aliases: readonly string[] = [],
): void {
  const model = requiredString(value, "model");
  if (model !== servedId && !aliases.includes(model)) {
    throw new OpenAiError(
      404,
      "invalid_request_error",
      `The model '${model}' does not exist or you do not have access to it; this server serves '${servedId}'.`,
      { param: "model", code: "model_not_found" },
    );
  }
}
