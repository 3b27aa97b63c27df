/**
 * Writes a TensorFlow.js weights manifest with factored layers: one group, one shard
 * `<out name>.weights.bin` beside the JSON. Weights that are kept are copied byte for byte with
 * their manifest entry (quantization included); a factored kernel W (in x out) becomes
 * `<name>/lowrank_A` (in x k) and `<name>/lowrank_B` (k x out), float32, or (1, 1, in, k) and
 * (1, 1, k, out) for a 1 x 1 convolution kernel. A model.json keeps its other keys (the topology
 * is not rewritten: a graph that should use the factors needs its layer split in two) and gains
 * `rangefinderLowrank`, the map of factored weights; a bare manifest stays a bare manifest.
 */
import { basename, dirname, join } from 'node:path';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readGroupBytes, type TfjsModel } from './read-tfjs.js';

export function writeTfjs(
  m: TfjsModel, factored: ReadonlyMap<string, { rank: number; a: Float32Array; b: Float32Array }>, out: string,
): { before: number; after: number; files: string[] } {
  const binName = `${basename(out).replace(/\.json$/, '')}.weights.bin`;
  const binPath = join(dirname(out), binName);
  const entries: Record<string, unknown>[] = [];
  const chunks: Uint8Array[] = [];
  const lowrank: Record<string, { rank: number; A: string; B: string }> = {};
  let before = 0, after = 0;
  for (const w of m.weights) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    if (w.dtype === 'float32') before += count;
    const f = factored.get(w.name);
    if (!f) {
      if (w.dtype === 'float32') after += count;
      entries.push(w.entry);
      chunks.push(readGroupBytes(m, w.group, w.offset, w.byteLength, m.path));
      continue;
    }
    const conv = w.shape.length === 4;
    const rows = conv ? w.shape[2] : w.shape[0], cols = conv ? w.shape[3] : w.shape[1], k = f.rank;
    const names = { A: `${w.name}/lowrank_A`, B: `${w.name}/lowrank_B` };
    lowrank[w.name] = { rank: k, ...names };
    entries.push({ name: names.A, shape: conv ? [1, 1, rows, k] : [rows, k], dtype: 'float32' });
    entries.push({ name: names.B, shape: conv ? [1, 1, k, cols] : [k, cols], dtype: 'float32' });
    chunks.push(new Uint8Array(f.a.buffer, f.a.byteOffset, f.a.byteLength), new Uint8Array(f.b.buffer, f.b.byteOffset, f.b.byteLength));
    after += k * (rows + cols);
  }
  const manifest = [{ paths: [binName], weights: entries }];
  const json = Array.isArray(m.json) ? manifest : { ...(m.json as object), weightsManifest: manifest, rangefinderLowrank: lowrank };
  const total = chunks.reduce((t, c) => t + c.length, 0);
  const bin = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { bin.set(c, at); at += c.length; }
  const tmpBin = `${binPath}.${process.pid}.tmp`, tmpJson = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(tmpBin, bin);
    writeFileSync(tmpJson, `${JSON.stringify(json)}\n`);
    renameSync(tmpBin, binPath);
    renameSync(tmpJson, out);
  } catch (e) {
    rmSync(tmpBin, { force: true }); rmSync(tmpJson, { force: true });
    throw e;
  }
  return { before, after, files: [out, binPath] };
}
