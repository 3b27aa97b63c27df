/**
 * The driver over real file sources (the I/O path of the multi-pass engine): .npy by rows and by
 * columns (the mirrored form), and an Arrow IPC file; each equals the in-memory RSI of the same
 * values to 1e-10 (the float32 values widen to float64 exactly, so the arithmetic is the same).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { transpose } from '../src/matrix.js';
import { fromSpectrum } from '../src/synthetic/from-spectrum.js';
import { randomizedSubspaceIteration } from '../src/multipass/randomized-subspace-iteration.js';
import { fromNpy } from '../streams/sources/from-npy.js';
import { fromArrowFile } from '../streams/sources/from-arrow-file.js';
import { runPasses } from '../streams/run-passes.js';
import { readNpySync } from './helpers/read-npy-sync.js';
import { realMatrix, sharedPath } from './helpers/shared-data.js';
import { fixSigns } from '../src/linalg/sign-fix.js';
import { maxAbsDiff } from './helpers/normalized-error.js';

const DIR = `${sharedPath('matrices')}/`;
const ppocr = realMatrix('ppocr_rec_conv180.npy');
const have = existsSync(`${DIR}navy_winds_u.npy`);
const tmp = mkdtempSync(join(tmpdir(), 'rf-multipass-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runPasses over files', () => {
  it('.npy by rows (ppocr_rec_conv180, float32): 3 passes equal the in-memory RSI', async () => {
    const path = ppocr!;
    const a = readNpySync(path);
    const src = fromNpy(path, { blockRows: 100 });
    const out = await runPasses(src, { method: 'rsi', passes: 3, rank: 12, oversamples: 8 }, { seed: 4 });
    const ref = randomizedSubspaceIteration(a, { rank: 12, oversamples: 8, powerIterations: 2, seed: 4 });
    expect(maxAbsDiff(out.u!, ref.u)).toBeLessThan(1e-10);
    expect(maxAbsDiff(out.v!, ref.v)).toBeLessThan(1e-10);
  });

  it.skipIf(!have)('.npy by columns (navy_winds_u, 132 x 10512): the mirrored form equals RSI of A^T with U, V swapped', async () => {
    const path = `${DIR}navy_winds_u.npy`;
    const a = readNpySync(path);
    const out = await runPasses(fromNpy(path, { orientation: 'columns', blockRows: 2000 }), { method: 'rsi', passes: 2, rank: 10, oversamples: 10 }, { seed: 1 });
    const ref = randomizedSubspaceIteration(transpose(a), { rank: 10, oversamples: 10, powerIterations: 1, seed: 1 });
    fixSigns(ref.u, ref.v); // the sign convention decides on V of A, which is U of A^T
    expect(out.u!.rows).toBe(132);
    expect(out.v!.rows).toBe(10512);
    expect(maxAbsDiff(out.u!, ref.v)).toBeLessThan(1e-10);
    expect(maxAbsDiff(out.v!, ref.u)).toBeLessThan(1e-10);
  });

  it('an Arrow IPC file (wide table of float64 columns): 3 passes equal the in-memory RSI', async () => {
    const sigma = Float64Array.from({ length: 30 }, (_, j) => 1 / (j + 1));
    const { a } = fromSpectrum(200, 30, sigma, 3);
    const cols: Record<string, Float64Array> = {};
    for (let j = 0; j < 30; j++) cols[`c${j}`] = Float64Array.from({ length: 200 }, (_, i) => a.data[i * 30 + j]);
    const path = join(tmp, 'a.arrow');
    writeFileSync(path, tableToIPC(tableFromArrays(cols), 'file'));
    const out = await runPasses(fromArrowFile(path), { method: 'rsi', passes: 3, rank: 5, oversamples: 5 }, { seed: 2 });
    const ref = randomizedSubspaceIteration(a, { rank: 5, oversamples: 5, powerIterations: 2, seed: 2 });
    expect(maxAbsDiff(out.u!, ref.u)).toBeLessThan(1e-10);
    expect(maxAbsDiff(out.v!, ref.v)).toBeLessThan(1e-10);
  });
});
