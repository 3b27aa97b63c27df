/**
 * The `.rfsk` container (streams/sketch-file.ts): a record saved with its range rows reads back
 * bit for bit (sketch bytes, rows and their global row numbers), and every kind of damage is
 * refused with a FormatError naming the file and what is wrong: wrong magic, a newer version,
 * truncation anywhere, one flipped byte in a section or in the footer, a header that disagrees
 * with its sketch. Negative control: the undamaged file of each case reads.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSketch, FormatError, memorySpill, serializeSketch, updateRows, type Matrix } from '../src/internals.js';
import {
  forEachRangeBlock, loadSketch, readSketchFile, saveSketch, SKETCH_FILE_VERSION, writeSketchFile,
} from '../streams/sketch-file.js';

const dir = mkdtempSync(join(tmpdir(), 'rfsk-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32 - 0.5; };
}

async function savedShard(name: string) {
  const m = 300, n = 17, rnd = seeded(7);
  const a = new Float64Array(m * n).map(() => rnd());
  const spill = memorySpill();
  const st = createSketch({ cols: n, rank: 4, method: 'rsvd', seed: 11, spill });
  updateRows(st, { rows: 200, cols: n, data: a, offset: 0, stride: n }, 1000);
  updateRows(st, { rows: 100, cols: n, data: a, offset: 200 * n, stride: n }, 1200);
  const path = join(dir, name);
  await saveSketch(path, st, {
    kind: 'shard', writer: 'rangefinder test', orientation: 'rows', rows: { offset: 1000, count: m, covered: st.covered.slice() },
  }, (visit) => spill.forEachBlock((r0, y) => {
    // Only rows the spill holds (its pages start at 0).
    const iv = spill.covered();
    for (let t = 0; t < iv.length; t += 2) {
      const lo = Math.max(iv[t]!, r0), hi = Math.min(iv[t + 1]!, r0 + y.rows);
      if (lo < hi) visit(lo, { ...y, rows: hi - lo, offset: y.offset + (lo - r0) * y.stride });
    }
  }));
  return { path, st, spill };
}

describe('.rfsk sketch files', () => {
  it('round-trips the sketch bytes and the range rows with their global row numbers', async () => {
    const { path, st, spill } = await savedShard('a.rfsk');
    const { file, state } = loadSketch(path);
    expect(file.version).toBe(SKETCH_FILE_VERSION);
    expect(serializeSketch(state)).toEqual(serializeSketch(st));
    expect(file.header.rows).toEqual({ offset: 1000, count: 300, covered: [1000, 1300] });
    expect(file.header.sketch).toMatchObject({ method: 'rsvd', seed: 11, cols: 17, rank: 4 });
    const got: number[] = [], want: number[] = [];
    let next = 1000;
    forEachRangeBlock(file, (r0, y) => {
      expect(r0).toBe(next);
      next += y.rows;
      for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) got.push(y.data[y.offset + i * y.stride + j]!);
    });
    expect(next).toBe(1300);
    spill.forEachBlock((r0, y: Matrix) => {
      for (let i = 0; i < y.rows; i++) if (r0 + i >= 1000) for (let j = 0; j < y.cols; j++) want.push(y.data[y.offset + i * y.stride + j]!);
    });
    expect(got).toEqual(want);
    // Written atomically: nothing but the file in the directory.
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses damaged files with a FormatError naming the file and the check', async () => {
    const { path } = await savedShard('b.rfsk');
    const good = readFileSync(path);
    const damaged = (name: string, bytes: Uint8Array): string => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
    const expectRefused = (p: string, what: RegExp) => {
      let err: unknown;
      try { readSketchFile(p); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as Error).message).toContain(p);
      expect((err as Error).message).toMatch(what);
    };
    expect(() => readSketchFile(damaged('ok.rfsk', good))).not.toThrow();
    const magic = Buffer.from(good); magic[1] = 0x51;
    expectRefused(damaged('magic.rfsk', magic), /not a rangefinder sketch file/);
    const newer = Buffer.from(good); newer.writeUInt32LE(SKETCH_FILE_VERSION + 1, 8);
    expectRefused(damaged('newer.rfsk', newer), new RegExp(`version ${SKETCH_FILE_VERSION + 1} was written by a newer rangefinder; this build reads version ${SKETCH_FILE_VERSION}`));
    for (const cut of [0, 5, 16, 100, good.length - 57, good.length - 1]) {
      expectRefused(damaged(`cut${cut}.rfsk`, good.subarray(0, cut)), /truncated|not a rangefinder/);
    }
    const file = readSketchFile(path);
    const range = file.section('range')!, sk = file.section('sketch')!;
    for (const [label, at] of [['range', range.offset + 16 + 8 * 50], ['sketch', sk.offset + 70]] as const) {
      const flip = Buffer.from(good); flip[at] ^= 0x10;
      expectRefused(damaged(`flip-${label}.rfsk`, flip), new RegExp(`checksum mismatch in section '${label}'`));
    }
    const footerFlip = Buffer.from(good); footerFlip[good.length - 60] ^= 0x01;
    expectRefused(damaged('flip-footer.rfsk', footerFlip), /checksum mismatch in its footer/);
  });

  it('refuses a header that disagrees with its sketch, and a missing file', async () => {
    const { st } = await savedShard('c.rfsk');
    const p = join(dir, 'lying.rfsk');
    const shape = readSketchFile(join(dir, 'c.rfsk')).header.sketch;
    await writeSketchFile(p, { kind: 'shard', sketch: { ...shape, seed: 12 }, rows: { offset: 0, count: 0, covered: [] } },
      [{ name: 'sketch', bytes: serializeSketch(st) }]);
    expect(() => loadSketch(p)).toThrow(/inconsistent: its header says seed 12, its sketch 11/);
    await writeSketchFile(p, { kind: 'shard', sketch: { method: 'rsvd', seed: 11 }, rows: { offset: 0, count: 0, covered: [] } },
      [{ name: 'sketch', bytes: serializeSketch(st) }]);
    expect(() => loadSketch(p)).toThrow(/header lacks the sketch's shape/);
    expect(() => readSketchFile(join(dir, 'none.rfsk'))).toThrow(/cannot open the sketch file \(no such file\)/);
  });
});
