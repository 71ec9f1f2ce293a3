/**
 * Runs `serveCommand` as its own process for serve_cli_test.ts, as main.ts will:
 * arguments from the command line, the API key from `HEARTH_API_KEY`.
 *
 * @module
 */
import { serveCommand } from "../../cli/serve.ts";

Deno.exit(await serveCommand(Deno.args, { apiKey: Deno.env.get("HEARTH_API_KEY") }));
