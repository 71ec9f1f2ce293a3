/**
 * Per-device memory for the resource panel, from ggml's devices (`ggml_backend_dev_memory`
 * through the engine): VRAM for each GPU, system RAM for the CPU device. Read in the engine
 * Worker, so the panel's poll gets the latest reading at once and starts the next; a reading
 * never waits for a model load or a reply.
 *
 * @module
 */
import type { BackendDevice } from "../engine/types.ts";

/** One device's memory as `GET /api/resources` answers it (docs/ui-api.md). */
export interface DeviceMemory {
  /** ggml's device name: "CPU", "Vulkan0", "CUDA0". */
  name: string;
  /** The device's own description (the CPU or GPU model). */
  description: string;
  /** ggml's device type: "CPU", "GPU", "IGPU", "ACCEL" or "META". */
  type: string;
  /** Its backend: "CPU", "Vulkan", "CUDA", "Metal", "RPC". */
  backend: string;
  /**
   * Free memory in bytes, as the backend reports it. ggml's CPU device reports the machine's
   * total RAM here too (it has no free figure); `ram_free_bytes` is the system's.
   */
  memory_free_bytes: number;
  /** Total memory in bytes. */
  memory_total_bytes: number;
}

/** How long a resources request waits for a fresh reading, in ms, before it answers with the last. */
export const DEVICE_READ_WAIT_MS = 500;

/** Reads the engine's devices; keeps the latest reading. */
export class DeviceMemoryMonitor {
  readonly #devices: () => Promise<BackendDevice[]>;
  #latest: DeviceMemory[] = [];
  #reading: Promise<void> | null = null;

  /**
   * @param devices reads the devices now, e.g. `async () => (await host.engine()).devices()`;
   *   a rejection (no engine yet, engine closed) keeps the last reading
   */
  constructor(devices: () => Promise<BackendDevice[]>) {
    this.#devices = devices;
  }

  /**
   * Starts a reading unless one is running, waits for it at most {@link DEVICE_READ_WAIT_MS},
   * and returns the latest reading (empty before the first one finished).
   */
  async read(): Promise<DeviceMemory[]> {
    this.#reading ??= this.#devices().then((devices) => {
      this.#latest = devices.map(toJson);
    }, () => {}).finally(() => (this.#reading = null));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((
      resolve,
    ) => (timer = setTimeout(resolve, DEVICE_READ_WAIT_MS)));
    await Promise.race([this.#reading, waited]);
    clearTimeout(timer);
    return this.#latest;
  }
}

function toJson(device: BackendDevice): DeviceMemory {
  return {
    name: device.name,
    description: device.description,
    type: device.type,
    backend: device.backend,
    memory_free_bytes: device.memoryFreeBytes,
    memory_total_bytes: device.memoryTotalBytes,
  };
}
