// TensorFlow.js weights manifests: the face-api models of @vladmandic/face-api (MIT; uint8-quantized
// weights in shards) read lazily and dequantized, their layers' singular values against numpy's SVD
// of the same matrices dequantized independently in Python; uint16 and float16 quantization and a
// weight straddling two shards from a manifest written here; and a compressed manifest read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBuilt, runCli } from './helpers/cli-harness.js';
import { hasNumpy } from './helpers/numpy.js';
import { readTfjs } from '../streams/models/read-tfjs.js';
import { svd } from '../src/linalg/svd.js';
import { zeros } from '../src/matrix.js';
import type { CompressReport } from '../streams/models/compress-model.js';

const require = createRequire(import.meta.url);
const MODEL_DIR = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
const numpy = hasNumpy();
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'rf-tfjs-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** numpy reads a manifest itself and returns the singular values of the named weights (as in x out). */
function numpySingularValues(manifest: string, names: string[]): Record<string, number[]> {
  const script = String.raw`
import sys, json, os, numpy as np
path = sys.argv[1]; names = json.loads(sys.argv[2]); base = os.path.dirname(path)
groups = json.load(open(path)); groups = groups['weightsManifest'] if isinstance(groups, dict) else groups
out = {}
for g in groups:
    data = b''.join(open(os.path.join(base, p), 'rb').read() for p in g['paths'])
    off = 0
    for w in g['weights']:
        n = int(np.prod(w['shape'])); q = w.get('quantization')
        if q:
            dt = {'uint8': '<u1', 'uint16': '<u2', 'float16': '<f2'}[q['dtype']]
            raw = np.frombuffer(data, dtype=dt, count=n, offset=off); off += raw.nbytes
            vals = raw.astype(np.float64) if q['dtype'] == 'float16' else raw.astype(np.float64) * q['scale'] + q['min']
        else:
            dt = {'float32': '<f4', 'int32': '<i4'}[w['dtype']]
            raw = np.frombuffer(data, dtype=dt, count=n, offset=off); off += raw.nbytes
            vals = raw.astype(np.float64)
        if w['name'] in names:
            s = w['shape']; m = s[2] if len(s) == 4 else s[0]
            out[w['name']] = np.linalg.svd(vals.astype(np.float32).astype(np.float64).reshape(m, -1), compute_uv=False).tolist()
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, manifest, JSON.stringify(names)], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } }).toString());
}

function ourSingularValues(manifest: string, names: string[]): Record<string, Float64Array> {
  const m = readTfjs(manifest);
  const out: Record<string, Float64Array> = {};
  for (const l of m.layers.filter((x) => names.includes(x.name))) {
    const w = l.weight, a = zeros(w.rows, w.cols);
    a.data.set(w.readRows(0, w.rows));
    out[l.name] = svd(a, { vectors: false }).s;
  }
  return out;
}

describe.skipIf(!numpy)('TensorFlow.js manifests', () => {
  it('face-api layers (uint8-quantized, sharded): singular values match numpy SVD of an independent dequantization', () => {
    const cases: [string, string[]][] = [
      ['face_recognition_model-weights_manifest.json', ['fc']],
      ['face_landmark_68_model-weights_manifest.json', ['fc/weights', 'dense3/conv1/pointwise_filter']],
      ['tiny_face_detector_model-weights_manifest.json', ['conv5/pointwise_filter', 'conv8/filters']],
      ['ssd_mobilenetv1_model-weights_manifest.json', ['Prediction/BoxPredictor_1/BoxEncodingPredictor/weights']],
    ];
    let compared = 0;
    for (const [file, names] of cases) {
      const path = join(MODEL_DIR, file);
      const ours = ourSingularValues(path, names), theirs = numpySingularValues(path, names);
      for (const name of names) {
        const a = ours[name], b = theirs[name];
        expect(a, `${file}: ${name}`).toBeDefined();
        expect(a.length).toBe(b.length);
        for (let j = 0; j < a.length; j++) expect(Math.abs(a[j] - b[j]), `${name} sigma_${j + 1}`).toBeLessThan(1e-9 * b[0]);
        compared++;
      }
    }
    expect(compared).toBe(6);
    // Negative control: the raw uint8 codes (no dequantization) give other singular values.
    const m = readTfjs(join(MODEL_DIR, 'face_recognition_model-weights_manifest.json'));
    const fc = m.weights.find((w) => w.name === 'fc')!;
    expect(fc.quantization?.dtype).toBe('uint8');
    expect(m.layers.find((l) => l.name === 'fc')!.weight.readRows(0, 1)[0]).not.toBe(Math.round(m.layers.find((l) => l.name === 'fc')!.weight.readRows(0, 1)[0]));
  });

  it('uint16 and float16 quantization, float32, and a weight straddling two shards', () => {
    const script = String.raw`
import sys, json, os, numpy as np
d = sys.argv[1]; rng = np.random.default_rng(3)
a = rng.standard_normal((40, 30)).astype(np.float32)
b = rng.standard_normal((1, 1, 24, 20)).astype(np.float32)
c = rng.standard_normal((30, 50)).astype(np.float32)
amin, amax = float(a.min()), float(a.max()); scale = (amax - amin) / 65535
qa = np.round((a - amin) / scale).astype('<u2')
blob = qa.tobytes() + b.astype('<f2').tobytes() + c.astype('<f4').tobytes()
cut = len(qa.tobytes()) + 500
open(os.path.join(d, 'g1-shard1of2.bin'), 'wb').write(blob[:cut])
open(os.path.join(d, 'g1-shard2of2.bin'), 'wb').write(blob[cut:])
weights = [
  {'name': 'dense/kernel', 'shape': [40, 30], 'dtype': 'float32', 'quantization': {'dtype': 'uint16', 'scale': scale, 'min': amin}},
  {'name': 'conv/kernel', 'shape': [1, 1, 24, 20], 'dtype': 'float32', 'quantization': {'dtype': 'float16'}},
  {'name': 'out/kernel', 'shape': [30, 50], 'dtype': 'float32'},
]
json.dump({'format': 'layers-model', 'modelTopology': {'keep': True}, 'weightsManifest': [{'paths': ['g1-shard1of2.bin', 'g1-shard2of2.bin'], 'weights': weights}]}, open(os.path.join(d, 'model.json'), 'w'))
expected = np.concatenate([(qa.astype(np.float64) * scale + amin).ravel(), b.astype(np.float16).astype(np.float64).ravel(), c.astype(np.float64).ravel()])
sys.stdout.buffer.write(expected.astype('<f8').tobytes())
`;
    const buf = execFileSync('python3', ['-c', script, dir]);
    const expected = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
    const m = readTfjs(join(dir, 'model.json'));
    expect(m.layers.map((l) => `${l.name}:${l.kind}:${l.weight.rows}x${l.weight.cols}:${l.weight.dtype}`)).toEqual([
      'dense/kernel:dense:40x30:uint16-quantized', 'conv/kernel:tfjs-conv1x1:24x20:float16-quantized', 'out/kernel:dense:30x50:float32',
    ]);
    const got = [...m.layers.flatMap((l) => [...l.weight.readRows(0, l.weight.rows)])];
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-6 * (1 + Math.abs(expected[i])));
    // A row block read in the middle of the straddling weight (float16 values around the cut).
    const conv = m.layers[1].weight;
    const rows = conv.readRows(5, 3);
    for (let i = 0; i < rows.length; i++) expect(rows[i]).toBeCloseTo(expected[1200 + 5 * 20 + i], 6);
  });

  it('compress writes a manifest with the factor pairs (float32) and the kept weights verbatim', async () => {
    await ensureBuilt();
    const src = join(MODEL_DIR, 'tiny_face_detector_model-weights_manifest.json');
    const out = join(dir, 'tiny-small.json');
    const run = await runCli(['compress', src, '--alpha', '0.25', '--passes', '3', '--out', out, '--json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CompressReport;
    const conv5 = report.layers.find((l) => l.name === 'conv5/pointwise_filter')!;
    expect(conv5.status).toBe('factored');
    expect(conv5.rank).toBe(64);
    expect(conv5.normalizedSpectralError!).toBeLessThan(1.3);
    const again = readTfjs(out);
    const a = again.weights.find((w) => w.name === 'conv5/pointwise_filter/lowrank_A')!;
    const b = again.weights.find((w) => w.name === 'conv5/pointwise_filter/lowrank_B')!;
    expect(a.shape).toEqual([1, 1, 256, 64]);
    expect(b.shape).toEqual([1, 1, 64, 512]);
    expect(again.weights.find((w) => w.name === 'conv5/pointwise_filter')).toBeUndefined();
    // Kept weights: same manifest entry (quantization included) and same values.
    const before = readTfjs(src);
    const kept = before.weights.find((w) => w.name === 'conv0/filters')!;
    const keptAfter = again.weights.find((w) => w.name === 'conv0/filters')!;
    expect(keptAfter.entry).toEqual(kept.entry);
    expect(Array.isArray(JSON.parse(readFileSync(out, 'utf8')))).toBe(true);
    // A B from the file against W: the spectral error the report measured, from the written floats.
    const w = before.layers.find((l) => l.name === 'conv5/pointwise_filter')!.weight.readRows(0, 256);
    const al = again.layers.find((l) => l.name.endsWith('conv5/pointwise_filter/lowrank_A'))!.weight.readRows(0, 256);
    const bl = again.layers.find((l) => l.name.endsWith('conv5/pointwise_filter/lowrank_B'))!.weight.readRows(0, 64);
    let err = 0, norm = 0;
    for (let i = 0; i < 256; i++) for (let j = 0; j < 512; j++) {
      let t = 0;
      for (let r = 0; r < 64; r++) t += al[i * 64 + r] * bl[r * 512 + j];
      err += (w[i * 512 + j] - t) ** 2; norm += w[i * 512 + j] ** 2;
    }
    expect(Math.sqrt(err / norm)).toBeCloseTo(conv5.relativeFrobeniusError!, 4);
  });
});
