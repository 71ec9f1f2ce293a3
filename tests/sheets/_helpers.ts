/**
 * Shared pieces of the sheets tests: a sheet service on a temporary database and the
 * real stories260K model on a serving context.
 */
import { join } from "node:path";
import { loadModel, type Model } from "../../engine/model.ts";
import { createServingContext, type ServingContext } from "../../engine/serving.ts";
import { servingGenerator, SheetService } from "../../app/sheets/mod.ts";
import type { ColumnProgress } from "../../app/sheets/mod.ts";
import { openDatabase, type Storage } from "../../storage/mod.ts";
import { STORIES_260K } from "../models.ts";

/** A service, its storage, the model and a temp folder; all freed on dispose. */
export class SheetFixture {
  readonly dir = Deno.makeTempDirSync({ prefix: "hearth-sheets-" });
  readonly storage: Storage;
  readonly service: SheetService;
  readonly progress: ColumnProgress[] = [];
  /** Most cells the generator ran at once. */
  maxInFlight = 0;
  model: Model | undefined;
  serving: ServingContext | undefined;

  /**
   * @param options `parallel`: the model's slots and the runner's cap; `sheetParallel`:
   *   leave the cap to each sheet's own setting (the app's way).
   */
  constructor(
    options: { parallel?: number; nCtxPerSlot?: number; sheetParallel?: boolean } = {},
  ) {
    this.storage = openDatabase(join(this.dir, "hearth.db"));
    this.service = new SheetService(this.storage, {
      generatorFor: async () => {
        this.model ??= await loadModel(STORIES_260K);
        this.serving ??= await createServingContext(this.model, {
          nParallel: options.parallel ?? 4,
          nCtxPerSlot: options.nCtxPerSlot ?? 512,
        });
        const generator = servingGenerator(this.serving, STORIES_260K);
        let inFlight = 0;
        return {
          ...generator,
          generate: async (request) => {
            this.maxInFlight = Math.max(this.maxInFlight, ++inFlight);
            try {
              return await generator.generate(request);
            } finally {
              inFlight--;
            }
          },
        };
      },
      parallel: options.sheetParallel ? undefined : () => options.parallel ?? 4,
      onProgress: (p) => this.progress.push(p),
    });
  }

  /** Writes `text` to a file in the temp folder; returns its path. */
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    Deno.writeTextFileSync(path, text);
    return path;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.service.close();
    this.serving?.dispose();
    this.model?.dispose();
    this.storage.close();
    Deno.removeSync(this.dir, { recursive: true });
  }
}

/** Polls `condition` every 20 ms until it holds (or throws after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
