/**
 * The prompt of one AI cell, in Hugging Face AI Sheets' structure: the instructions
 * (the column's template), then one `Example` block per approved or hand-edited cell
 * (its row's input columns and its output), then the row's own inputs.
 *
 * Everything every row shares comes first and the row's own text last: the system
 * prompt, the instructions and the examples are the same leading tokens for every row
 * of a job, so a scheduler that shares prompt prefixes across slots decodes them once.
 * That is why the template is shown as written (with its `{{column}}` names) and the
 * row's values are listed after it, rather than substituted into it.
 *
 * @module
 */
import type { ChatMessage } from "../../engine/chat_template.ts";
import type { SheetValue } from "../../storage/mod.ts";

/** `{{ name }}` in a template; the name is trimmed. */
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** The column names a template refers to, in first-use order, each once. */
export function templateColumns(template: string): string[] {
  const names: string[] = [];
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * `template` with every `{{from}}` (spaces inside the braces allowed) written `{{to}}`:
 * a renamed column's references follow it, as a spreadsheet's formulas do.
 */
export function renameTemplateColumn(template: string, from: string, to: string): string {
  return template.replace(PLACEHOLDER, (match, name) => name === from ? `{{${to}}}` : match);
}

/** One input of a row: a column's name and its value there. */
export interface PromptInput {
  name: string;
  value: SheetValue;
}

/** A few-shot example: a row's inputs and the cell's approved or edited output. */
export interface PromptExample {
  inputs: PromptInput[];
  output: string;
}

/** A cell's prompt: the chat messages, and the user message's text split at the row. */
export interface CellPrompt {
  messages: ChatMessage[];
  /** The part of the user message every row shares (instructions and examples). */
  shared: string;
  /** The row's own part, after `shared`. */
  row: string;
}

function inputLines(inputs: readonly PromptInput[]): string {
  return inputs.map(({ name, value }) => `${name}: ${value === null ? "" : String(value)}`)
    .join("\n");
}

/**
 * Builds a cell's prompt.
 *
 * @param template The column's instructions, with `{{column}}` references.
 * @param systemPrompt The column's system prompt; "" = no system message.
 * @param inputs The row's values of the columns the template names, in that order.
 * @param examples Approved or edited cells of other rows, oldest row first.
 */
export function buildCellPrompt(
  template: string,
  systemPrompt: string,
  inputs: readonly PromptInput[],
  examples: readonly PromptExample[],
): CellPrompt {
  let shared = `# Instructions\n${template.trim()}\n\n`;
  for (const example of examples) {
    shared += `## Example\n${inputLines(example.inputs)}\nOutput: ${example.output}\n\n`;
  }
  const row = `## Row\n${inputLines(inputs)}\nOutput:`;
  const messages: ChatMessage[] = [];
  if (systemPrompt.trim() !== "") messages.push({ role: "system", content: systemPrompt });
  messages.push({ role: "user", content: shared + row });
  return { messages, shared, row };
}
