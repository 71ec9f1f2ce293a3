/**
 * Each ggml device's memory in use, as the engine reads it (`ggml_backend_dev_memory`): VRAM
 * for a GPU, system RAM for the CPU device. ggml's CPU device reports the machine's RAM as both
 * free and total, so its meter shows the RAM in use the app reads itself.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Resources } from "../../api/types.ts";
import { formatBytes } from "../lib/format.ts";
import { Meter } from "./Meter.tsx";

/** Props of {@link DeviceMeters}. */
export type DeviceMetersProps = {
  devices: Resources["devices"];
  /** The system RAM in use, in bytes (the CPU device's use). */
  ramUsedBytes: number;
};

/** The devices' meters under a heading; nothing before the engine has reported any. */
export function DeviceMeters({ devices, ramUsedBytes }: DeviceMetersProps): JSX.Element | null {
  if (devices.length === 0) return null;
  return (
    <section class="devices" aria-label="Devices">
      <h3 class="chart-head">Devices</h3>
      {devices.map((device) => {
        const cpu = device.type === "CPU";
        const used = cpu ? ramUsedBytes : device.memory_total_bytes - device.memory_free_bytes;
        const kind = cpu ? "system RAM" : "VRAM";
        return (
          <Meter
            key={device.name}
            label={`${device.name} memory`}
            value={used}
            max={device.memory_total_bytes}
          >
            {formatBytes(used)} of {formatBytes(device.memory_total_bytes)} {kind}
            <span class="device-name" title={device.description}>{device.description}</span>
          </Meter>
        );
      })}
    </section>
  );
}
