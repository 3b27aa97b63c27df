/**
 * `--method exact` under `--memory-budget` (issue 18, item 6): the budget counts what the exact SVD
 * really holds (`exactBytes` = 8 (8 m n + 6 min(m, n)^2): the matrix, its working copies and
 * factors, the kernels' packed copies), so a run the planner admits stays within it: peak RSS at
 * most Node's own (a tiny exact run in the same way) plus the budget plus the input's blocks in
 * flight (not covered: 2 x 8 MiB for .npy). Negative control: the peak is above the old count,
 * 8 (2 m n + (m + n) min(m, n)), which let a 512 MiB budget peak at 1002 MiB. One byte less than
 * exactBytes is refused before the input is read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactBytes } from '../src/plan/plan-approx.js';
import { ensureBuilt, expectUsageFailure, runCli, writeNpyMatrix } from './helpers/cli-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'rf-exact-budget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic m x n float32 .npy (a fixed linear congruential sequence; no generator state). */
function writeMatrix(name: string, m: number, n: number): string {
  const data = new Float64Array(m * n);
  let x = 12345;
  for (let i = 0; i < data.length; i++) { x = (x * 16807) % 2147483647; data[i] = x / 2147483647 - 0.5; }
  const path = join(dir, `${name}.npy`);
  writeNpyMatrix(path, { rows: m, cols: n, data, offset: 0, stride: n }, 'float32');
  return path;
}

interface Result { peakRssBytes: number; stateBytes: number; memoryBudget: number }
const IN_FLIGHT = 32 * 2 ** 20;

describe('approx --method exact: the budget counts what the SVD holds', () => {
  beforeAll(ensureBuilt, 300_000);

  for (const [m, n] of [[20000, 200], [200, 20000]] as const) {
    it(`${m} x ${n}: peak RSS within Node's own + the budget + blocks in flight, above the old count`, async () => {
      const tiny = await runCli(['approx', writeMatrix('tiny', 10, 5), '--rank', '2', '--method', 'exact', '--json', '--orientation', 'rows']);
      expect(tiny.code, tiny.stderr).toBe(0);
      const node = (JSON.parse(tiny.stdout) as Result).peakRssBytes;
      const path = writeMatrix(`m${m}x${n}`, m, n);
      const budget = exactBytes(m, n);
      const run = await runCli(['approx', path, '--rank', '5', '--method', 'exact', '--memory-budget', String(budget), '--orientation', 'rows', '--json'], { timeoutMs: 600_000 });
      expect(run.code, run.stderr).toBe(0);
      const res = JSON.parse(run.stdout) as Result;
      expect(res.stateBytes).toBe(budget);
      const held = res.peakRssBytes - node;
      expect(held, `peak ${res.peakRssBytes} - Node ${node} against the budget ${budget}`).toBeLessThanOrEqual(budget + IN_FLIGHT);
      const oldCount = 8 * (2 * m * n + (m + n) * Math.min(m, n));
      expect(held, 'the old count was exceeded (negative control)').toBeGreaterThan(oldCount);
      const refused = expectUsageFailure(await runCli(['approx', path, '--rank', '5', '--method', 'exact', '--memory-budget', String(budget - 1), '--orientation', 'rows']));
      expect(refused).toMatch(new RegExp(`too small for the exact SVD of .* \\(${m} x ${n}\\): it needs about`));
    }, 900_000);
  }
});
