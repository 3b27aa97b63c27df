// `rangefinder compress` on safetensors written by hand in the test (numpy bytes, F32/F16/BF16,
// one file and sharded), run as a real child process; the outputs are read back by an independent
// numpy reader and every factor pair is measured against numpy's SVD.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from './helpers/cli-harness.js';
import { hasNumpy } from './helpers/numpy.js';
import { checkFactorsPy, writeSafetensorsPy, type PyTensor } from './helpers/safetensors-py.js';
import { readSafetensors } from '../streams/models/read-safetensors.js';
import type { CompressReport } from '../streams/models/compress-model.js';

const numpy = hasNumpy();
let dir: string;

const TENSORS: PyTensor[] = [
  { name: 'enc.layer.weight', dtype: 'F32', shape: [200, 120], decay: 0.5, seed: 1 },
  { name: 'enc.layer.bias', dtype: 'F32', shape: [120], seed: 2 },
  { name: 'enc.half.weight', dtype: 'F16', shape: [160, 96], decay: 0.5, seed: 3 },
  { name: 'enc.bf.weight', dtype: 'BF16', shape: [128, 80], decay: 0.5, seed: 4 },
  { name: 'enc.conv.weight', dtype: 'F32', shape: [64, 48, 1, 1], decay: 1, seed: 5 },
  { name: 'enc.square.weight', dtype: 'F32', shape: [12, 12], decay: 1, seed: 6 },
  { name: 'position_ids', dtype: 'I64', shape: [1, 16], seed: 7 },
];

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rf-safetensors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!numpy)('compress: safetensors round trip', () => {
  it('factors F32, F16, BF16 and 1x1-conv tensors, keeps the rest byte for byte, near-optimal at q = 2', async () => {
    const input = join(dir, 'model.safetensors');
    writeSafetensorsPy(input, TENSORS, { format: 'pt' });
    const out = join(dir, 'small.safetensors');
    const reportPath = join(dir, 'report.json');
    // alpha 0.5: the 12 x 12 layer would need 6 (12 + 12) = 144 >= 144 weights, so it stays.
    const run = await runCli(['compress', input, '--alpha', '0.5', '--passes', '3', '--out', out, '--report', reportPath, '--json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CompressReport;
    expect(JSON.parse(readFileSync(reportPath, 'utf8')).totals).toEqual(report.totals);
    const byTensor = Object.fromEntries(report.layers.map((l) => [l.tensor, l]));
    expect(byTensor['enc.square.weight'].status).toBe('kept');
    expect(byTensor['enc.square.weight'].reason).toMatch(/would not reduce parameters/);
    for (const name of ['enc.layer.weight', 'enc.half.weight', 'enc.bf.weight', 'enc.conv.weight']) expect(byTensor[name].status).toBe('factored');
    expect(byTensor['enc.layer.weight'].rank).toBe(60);

    const py = checkFactorsPy([input], [out]);
    // Names, shapes and dtypes of the pairs; the original weight is gone.
    expect(py.tensors['enc.layer.weight.lowrank_A']).toEqual({ dtype: 'F32', shape: [200, 60] });
    expect(py.tensors['enc.layer.weight.lowrank_B']).toEqual({ dtype: 'F32', shape: [60, 120] });
    expect(py.tensors['enc.half.weight.lowrank_A'].dtype).toBe('F16');
    expect(py.tensors['enc.bf.weight.lowrank_B'].dtype).toBe('BF16');
    expect(py.tensors['enc.conv.weight.lowrank_A'].shape).toEqual([64, 24, 1, 1]);
    expect(py.tensors['enc.conv.weight.lowrank_B'].shape).toEqual([24, 48, 1, 1]);
    expect(py.tensors['enc.layer.weight']).toBeUndefined();
    // Untouched tensors (bias, integer ids, the kept square layer) are copied byte for byte.
    expect(py.identical.sort()).toEqual(['enc.layer.bias', 'enc.square.weight', 'position_ids']);
    expect(py.metadata.format).toBe('pt');
    expect(Object.keys(JSON.parse(py.metadata['rangefinder.lowrank'])).sort()).toEqual(['enc.bf.weight', 'enc.conv.weight', 'enc.half.weight', 'enc.layer.weight']);
    // numpy's ||W - A B||_2 / sigma_{k+1}: RSI with q = 2 on a slowly decaying spectrum stays close
    // to the optimum 1 (F16/BF16 factors add their rounding, at most ~4e-3 relative for BF16).
    for (const [name, f] of Object.entries(py.factored)) {
      expect(f.normalized, name).toBeGreaterThanOrEqual(0.99);
      expect(f.normalized, name).toBeLessThan(name.includes('bf') ? 1.6 : 1.3);
    }
    // The report's Lanczos error agrees with numpy's for the float32 layer (factors stored in F32).
    expect(byTensor['enc.layer.weight'].normalizedSpectralError!).toBeCloseTo(py.factored['enc.layer.weight'].normalized, 2);
    expect(report.totals.layerParamsAfter).toBeLessThan(report.totals.layerParamsBefore);
    // Our own reader reads the output too.
    const again = readSafetensors(out);
    expect(again.shards[0].tensors.map((t) => t.name)).toContain('enc.layer.weight.lowrank_A');
  });

  it('negative control: q = 0 (one pass) is measurably worse than q = 2 on a slowly decaying layer', async () => {
    const input = join(dir, 'slow.safetensors');
    writeSafetensorsPy(input, [{ name: 'w', dtype: 'F32', shape: [300, 240], decay: 0.3, seed: 11 }]);
    const errs: number[] = [];
    for (const passes of [1, 3]) {
      const out = join(dir, `slow-${passes}.safetensors`);
      const run = await runCli(['compress', input, '--alpha', '0.2', '--passes', String(passes), '--out', out, '--json']);
      expect(run.code).toBe(0);
      errs.push(checkFactorsPy([input], [out]).factored.w!.normalized);
    }
    expect(errs[0]).toBeGreaterThan(1.3);
    expect(errs[0]).toBeGreaterThan(errs[1] * 1.2);
  });

  it('a layer too large for the budget: RSI streams it from the file, --method exact is refused', async () => {
    const input = join(dir, 'budget.safetensors');
    writeSafetensorsPy(input, [{ name: 'w', dtype: 'F32', shape: [2000, 64], decay: 0.5, seed: 12 }]);
    const out = join(dir, 'budget-out.safetensors');
    let run = await runCli(['compress', input, '--alpha', '0.25', '--memory-budget', '1MiB', '--out', out, '--json']);
    expect(run.code).toBe(0);
    const layer = (JSON.parse(run.stdout) as CompressReport).layers[0];
    expect(layer.mode).toBe('streamed');
    expect(layer.spectralError).toBeNull();
    // Streamed RSI (q = 2) is as good as in memory: numpy's spectral error of the written factors.
    expect(checkFactorsPy([input], [out]).factored.w!.normalized).toBeLessThan(1.3);
    rmSync(out);
    run = await runCli(['compress', input, '--alpha', '0.25', '--memory-budget', '1MiB', '--method', 'exact', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^rangefinder: ${input}: tensor 'w' \\(2000 x 64\\) needs about \\d+ bytes for the exact SVD in memory, more than the memory budget 1048576`));
    expect(existsSync(out)).toBe(false);
  });

  it('sharded checkpoints: reads model.safetensors.index.json, writes shards beside the output index', async () => {
    const src = join(dir, 'sharded');
    const dst = join(dir, 'sharded-out');
    for (const d of [src, dst]) rmSync(d, { recursive: true, force: true });
    writeFileSync(join(dir, '.keep'), '');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(src); mkdirSync(dst);
    const s1 = TENSORS.slice(0, 3), s2 = TENSORS.slice(3);
    writeSafetensorsPy(join(src, 'model-00001-of-00002.safetensors'), s1);
    writeSafetensorsPy(join(src, 'model-00002-of-00002.safetensors'), s2);
    const weightMap = Object.fromEntries([...s1.map((t) => [t.name, 'model-00001-of-00002.safetensors']), ...s2.map((t) => [t.name, 'model-00002-of-00002.safetensors'])]);
    const index = join(src, 'model.safetensors.index.json');
    writeFileSync(index, JSON.stringify({ metadata: { total_size: 1 }, weight_map: weightMap }));
    const outIndex = join(dst, 'model.safetensors.index.json');
    const run = await runCli(['compress', index, '--alpha', '0.3', '--out', outIndex, '--json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const outIdx = JSON.parse(readFileSync(outIndex, 'utf8')) as { weight_map: Record<string, string>; metadata: Record<string, unknown> };
    // Each factor lands in the shard that held its weight.
    expect(outIdx.weight_map['enc.layer.weight.lowrank_A']).toBe('model-00001-of-00002.safetensors');
    expect(outIdx.weight_map['enc.bf.weight.lowrank_B']).toBe('model-00002-of-00002.safetensors');
    expect(outIdx.weight_map['enc.layer.weight']).toBeUndefined();
    expect(Object.keys(outIdx.metadata['rangefinder.lowrank'] as object)).toContain('enc.conv.weight');
    const shards = readdirSync(dst).filter((f) => f.endsWith('.safetensors')).sort().map((f) => join(dst, f));
    expect(shards.length).toBe(2);
    const py = checkFactorsPy(readdirSync(src).filter((f) => f.endsWith('.safetensors')).map((f) => join(src, f)), shards);
    // The square 12 x 12 layer is factored at alpha 0.3 (3 (12 + 12) = 72 < 144).
    expect(Object.keys(py.factored).sort()).toEqual(['enc.bf.weight', 'enc.conv.weight', 'enc.half.weight', 'enc.layer.weight', 'enc.square.weight']);
    for (const f of Object.values(py.factored)) expect(f.normalized).toBeLessThan(1.6);
    // The reader opens the output checkpoint through its index.
    expect(readSafetensors(outIndex).layers.map((l) => l.name)).toContain('enc.layer.weight.lowrank_A');
  });
});

describe('compress: bad safetensors input exits 2 with one line naming the file and the tensor', () => {
  const cases: [string, (p: string) => void, RegExp][] = [
    ['a file shorter than the header length', (p) => writeFileSync(p, Buffer.from([1, 2, 3, 4, 5])), /is truncated: a safetensors file starts with an 8-byte header length/],
    ['a header length beyond the file', (p) => { const b = Buffer.alloc(16); b.writeBigUInt64LE(1000n, 0); writeFileSync(p, b); }, /header length 1000 is beyond the file \(16 bytes\)/],
    ['a header that is not JSON', (p) => { const h = Buffer.from('{"a": '); const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(h.length)); writeFileSync(p, Buffer.concat([b, h])); }, /header is not JSON/],
    ['offsets out of range', (p) => header(p, { w: { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] } }, 32), /tensor 'w' has data_offsets \[0, 64\] beyond the data \(32 bytes/],
    ['an unknown dtype', (p) => header(p, { w: { dtype: 'Q7', shape: [2, 2], data_offsets: [0, 4] } }, 4), /tensor 'w' has unknown dtype "Q7": expected one of F64, F32/],
    ['a shape that does not match the offsets', (p) => header(p, { w: { dtype: 'F32', shape: [4, 4], data_offsets: [0, 60] } }, 64), /tensor 'w': shape \[4, 4\] of F32 needs 64 bytes, its data_offsets span 60/],
  ];
  function header(p: string, h: object, dataBytes: number): void {
    let j = Buffer.from(JSON.stringify(h));
    j = Buffer.concat([j, Buffer.alloc((8 - (j.length % 8)) % 8, 0x20)]);
    const n = Buffer.alloc(8); n.writeBigUInt64LE(BigInt(j.length));
    writeFileSync(p, Buffer.concat([n, j, Buffer.alloc(dataBytes)]));
  }
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const d = mkdtempSync(join(tmpdir(), 'rf-bad-st-'));
      try {
        const p = join(d, 'bad.safetensors');
        make(p);
        const out = join(d, 'out.safetensors');
        const run = await runCli(['compress', p, '--alpha', '0.5', '--out', out]);
        expect(run.code).toBe(2);
        const lines = run.stderr.trim().split('\n');
        expect(lines.length).toBe(1);
        expect(lines[0]).toContain(p);
        expect(lines[0]).toMatch(message);
        expect(readdirSync(d)).toEqual(['bad.safetensors']);
      } finally { rmSync(d, { recursive: true, force: true }); }
    });
  }

  it('--layers naming a tensor that is not a matrix', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rf-bad-st-'));
    try {
      const p = join(d, 'm.safetensors');
      const j = Buffer.from(JSON.stringify({ 'fc.bias': { dtype: 'F32', shape: [8], data_offsets: [0, 32] }, 'fc.weight': { dtype: 'F32', shape: [8, 8], data_offsets: [32, 288] } }).padEnd(128));
      const n = Buffer.alloc(8); n.writeBigUInt64LE(BigInt(j.length));
      writeFileSync(p, Buffer.concat([n, j, Buffer.alloc(288)]));
      const run = await runCli(['compress', p, '--alpha', '0.5', '--layers', 'fc.bias', '--out', join(d, 'o.safetensors')]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(`rangefinder: ${p}: tensor 'fc.bias' has shape [8]: expected a 2-D tensor`);
      expect(existsSync(join(d, 'o.safetensors'))).toBe(false);
    } finally { rmSync(d, { recursive: true, force: true }); }
  });
});
