// A model file larger than the memory budget: a synthetic safetensors checkpoint of 3 GiB (twelve
// 65536 x 1024 float32 layers of rank 16 plus noise, 256 MiB each) in os.tmpdir(), compressed by
// the CLI in a child process with --memory-budget 64MiB. Every layer is four times the budget in
// float32 (eight in float64), so each is streamed from the file in row blocks through the Gram-pass
// driver; the process's peak RSS (getrusage, the report's peakRssBytes) must stay within the budget
// + 100 MB. The file is deleted afterwards.
import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from './helpers/cli-harness.js';
import { readSafetensors } from '../streams/models/read-safetensors.js';
import type { CompressReport } from '../streams/models/compress-model.js';

const LAYERS = 12, M = 65536, N = 1024, RANK = 16;
const BYTES = LAYERS * M * N * 4;
const free = (() => { try { const s = statfsSync(tmpdir()); return s.bavail * s.bsize; } catch { return 0; } })();
let dir: string | undefined;
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Twelve rank-16-plus-noise layers from a cheap seeded recurrence (no Math.random). */
function writeModel(path: string): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let t = 0; t < LAYERS; t++) header[`layers.${t}.weight`] = { dtype: 'F32', shape: [M, N], data_offsets: [t * M * N * 4, (t + 1) * M * N * 4] };
  let h = Buffer.from(JSON.stringify(header));
  h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(h.length));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, len); writeSync(fd, h);
    // Per layer one 1024-row block of rank 16 (rows a_i^T B with a_r ~ 1/r); every later block is
    // that block scaled by a seeded factor plus 1% noise, so the layer has rank 16 plus noise.
    const rowsPerBlock = 1024;
    const base = new Float32Array(rowsPerBlock * N);
    const block = new Float32Array(rowsPerBlock * N);
    const b = new Float32Array(RANK * N);
    let state = 12345;
    const rnd = (): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 4294967296 - 0.5; };
    for (let t = 0; t < LAYERS; t++) {
      for (let i = 0; i < b.length; i++) b[i] = rnd();
      base.fill(0);
      for (let i = 0; i < rowsPerBlock; i++) {
        for (let r = 0; r < RANK; r++) { const ar = rnd() / (r + 1), br = r * N, o = i * N; for (let j = 0; j < N; j++) base[o + j] += ar * b[br + j]; }
      }
      for (let r0 = 0; r0 < M; r0 += rowsPerBlock) {
        const c = 0.5 + rnd();
        for (let i = 0; i < block.length; i++) block[i] = c * base[i] + 0.01 * rnd();
        writeSync(fd, new Uint8Array(block.buffer));
      }
    }
  } finally { closeSync(fd); }
}

describe.skipIf(free < BYTES * 1.3 + 2 ** 30)('compress: a model larger than the memory budget', () => {
  it('streams 3 GiB of layers under --memory-budget 64MiB within budget + 100 MB of RSS', async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'rf-big-model-'));
    const input = join(dir, 'big.safetensors');
    writeModel(input);
    const out = join(dir, 'big-small.safetensors');
    const budget = 64 * 2 ** 20;
    const run = await runCli(['compress', input, '--alpha', '0.02', '--passes', '2', '--memory-budget', '64MiB', '--no-baseline', '--out', out, '--json'], { timeoutMs: 600_000 });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CompressReport;
    process.stderr.write(`large model: ${(BYTES / 2 ** 30).toFixed(2)} GiB in ${report.totals.seconds.toFixed(1)} s, peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(1)} MiB under a ${budget / 2 ** 20} MiB budget\n`);
    expect(report.layers.length).toBe(LAYERS);
    for (const l of report.layers) {
      expect(l.status).toBe('factored');
      expect(l.mode).toBe('streamed');
      expect(l.rank).toBe(20);
      // Rank 16 plus 1% noise at rank 20: the residual is the noise, about 0.01 sqrt(1/12) per entry
      // against a signal of about sqrt(sum 1/r^2 / 144) per entry.
      expect(l.relativeFrobeniusError!).toBeLessThan(0.1);
    }
    expect(report.peakRssBytes).toBeLessThan(budget + 100e6);
    const outModel = readSafetensors(out);
    expect(outModel.shards[0].tensors.find((t) => t.name === 'layers.0.weight.lowrank_A')!.shape).toEqual([M, 20]);
    expect(outModel.shards[0].fileBytes).toBeLessThan(BYTES / 20);
  }, 900_000);
});
