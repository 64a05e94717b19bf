/** A private influxd with the GateWatch schema, in a temporary folder, for one test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema, startInfluxd, type Influxd } from '@gatewatch/infra';

export interface TestInflux {
  influxd: Influxd;
  close(): Promise<void>;
}

export async function startTestInflux(name: string): Promise<TestInflux> {
  const dir = mkdtempSync(join(tmpdir(), `gw-${name}-`));
  const influxd = await startInfluxd({ dataDir: join(dir, 'influxdb') });
  await applySchema(influxd.url);
  return {
    influxd,
    async close() {
      await influxd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
