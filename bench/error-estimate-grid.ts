/**
 * The error-estimate grid (issue 10, class 2).
 *
 * Question: does the a-posteriori error estimate [TYUC19 §6; docs/METHODS.md §4] lie within
 * [0.8, 1.25] of the true ||A - U diag(S) V^T||_F in at least 90% of runs, with no configuration
 * whose median ratio is outside that range, across methods, map families, float32/float64 rows,
 * centring, ranks and spectra, through the library and the command line; and where it cannot, does
 * it say so instead of reporting a number?
 *
 * Data and runs: bench/error-estimate-grid-run.ts (1000 x 120, Haar vectors, R = 10 leading unit
 * singular values; spectra lowrank / poly / exp / flat; ranks 1, 2, 3, 5, 7, 9, 10, 11, 12 — rank 9
 * leaves one residual direction, the estimator's worst case; seeds 0..5). Library: three-sketch,
 * two-sketch (sparse-sign and Gaussian maps, float64 and float32 rows, centred or not), FD (float64,
 * float32), each with its default q (32), and rsvd with its default q = 10 (the library's estimate;
 * the CLI reports rsvd's exact residual). There is one engine for every linear method and dtype
 * (docs/ARCHITECTURE.md): the "resident" and "general" paths of the issue no longer exist apart.
 * Per configuration: runs whose estimate was reported (reliable), how many of those lie in range,
 * the median ratio over all runs, and the in-range probability the law of an independent error map
 * predicts for each run's own residual (Monte Carlo on its eigenvalues), averaged.
 * CLI: `runApprox` (the code `rangefinder approx --json` runs, in process) on .npy files of the same
 * matrices (float64 and float32), default budget, --method three-sketch / two-sketch / fd (kind
 * 'sketch') and rsvd (kind 'residual': its reported error must equal the truth), ranks 1, 5, 9, 12,
 * seeds 0..2, the truth from the U, S, V it writes.
 *
 * Run: `npm run bench -- error-estimate-grid` (`--quick`: 2 seeds, ranks 1, 5, 9, 12).
 * Writes bench/out/error-estimate-grid.json and .md.
 *
 * Conclusion: see bench/out/error-estimate-grid.md (written by this script with the command, date and
 * load) and the README section "The error estimate: what it means, when to trust it".
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseApproxArgs } from '../streams/cli/approx-args.js';
import { runApprox } from '../streams/cli/run-approx.js';
import { readFactors } from '../test/helpers/cli-factors.js';
import { writeNpyReference } from '../test/helpers/npy-reference.js';
import {
  dataOf, describeConfig, gridConfigs, median, M, N, runGrid, SPECTRA, type CellSummary, type Spectrum,
} from './error-estimate-grid-run.js';

const quick = process.argv.includes('--quick');
const here = fileURLToPath(new URL('.', import.meta.url));
const seeds = quick ? [0, 1] : [0, 1, 2, 3, 4, 5];
const ranks = quick ? [1, 5, 9, 12] : [1, 2, 3, 5, 7, 9, 10, 11, 12];
const t0 = performance.now(), load0 = loadavg()[0]!;

// Library grid.
const configs = gridConfigs({ methods: ['three-sketch', 'two-sketch', 'fd', 'rsvd'], spectra: SPECTRA, ranks });
let done = 0;
const cells = runGrid(configs, seeds, quick ? 200 : 300, (c) => {
  done++;
  if (done % 50 === 0) console.error(`error-estimate-grid: ${done}/${configs.length} configurations (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  void c;
});

// CLI runs.
interface CliCell { method: string; dtype: string; spectrum: Spectrum; rank: number; ratios: number[]; reliable: number; runs: number; kind: string }
const cliCells: CliCell[] = [];
const tmp = join(tmpdir(), `rf-estimate-grid-${process.pid}`);
mkdirSync(tmp, { recursive: true });
const io = { stdout: process.stdout, stderr: process.stderr };
try {
  for (const spectrum of SPECTRA) for (const dtype of ['float64', 'float32'] as const) {
    const files = seeds.slice(0, 3).map((seed) => {
      const d = dataOf(spectrum, dtype, false, seed), path = join(tmp, `${spectrum}-${dtype}-${seed}.npy`);
      writeNpyReference(path, d.streamed, M, N, dtype, false);
      return { path, truth: d.truth };
    });
    for (const method of ['three-sketch', 'two-sketch', 'fd', 'rsvd']) for (const rank of [1, 5, 9, 12]) {
      const cell: CliCell = { method, dtype, spectrum, rank, ratios: [], reliable: 0, runs: 0, kind: '' };
      for (const [i, f] of files.entries()) {
        const out = join(tmp, `out-${i}`);
        const res = await runApprox(parseApproxArgs([f.path, '--rank', String(rank), '--method', method, '--seed', String(i + 1), '--json', '--no-progress', '--out', out]), io);
        const { u, s, v } = readFactors(out);
        let e2 = 0;
        for (let r0 = 0; r0 < M; r0++) for (let j = 0; j < N; j++) {
          let x = f.truth[r0 * N + j]!;
          for (let t = 0; t < s.length; t++) x -= u.data[r0 * s.length + t]! * s[t]! * v.data[j * s.length + t]!;
          e2 += x * x;
        }
        cell.kind = res.errorEstimate.kind;
        cell.runs++;
        if (res.errorEstimate.reliable && res.errorEstimate.frobenius !== null) {
          cell.reliable++;
          cell.ratios.push(res.errorEstimate.frobenius / Math.sqrt(e2));
        }
      }
      cliCells.push(cell);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const seconds = (performance.now() - t0) / 1000, load1 = loadavg()[0]!;
const isSketch = (c: CellSummary) => c.config.method !== 'rsvd';
const defaults = cells.filter(isSketch), rsvd = cells.filter((c) => !isSketch(c));
const sum = (xs: CellSummary[], f: (c: CellSummary) => number) => xs.reduce((t, c) => t + f(c), 0);
const overall = {
  runs: sum(defaults, (c) => c.runs), reported: sum(defaults, (c) => c.reported), inside: sum(defaults, (c) => c.inside),
  insideAll: sum(defaults, (c) => c.insideAll), predicted: sum(defaults, (c) => c.predicted * c.runs),
  mediansOutside: defaults.filter((c) => c.medianRatio < 0.8 || c.medianRatio > 1.25).map((c) => describeConfig(c.config)),
};
const rsvdOverall = {
  runs: sum(rsvd, (c) => c.runs), reported: sum(rsvd, (c) => c.reported), inside: sum(rsvd, (c) => c.inside), insideAll: sum(rsvd, (c) => c.insideAll),
};
const cliSketch = cliCells.filter((c) => c.kind === 'sketch'), cliResidual = cliCells.filter((c) => c.kind === 'residual');
const cliRatios = cliSketch.flatMap((c) => c.ratios);
const cliOverall = {
  runs: cliSketch.reduce((t, c) => t + c.runs, 0), reported: cliRatios.length, inside: cliRatios.filter((x) => x >= 0.8 && x <= 1.25).length,
  residualMaxDeviation: Math.max(...cliResidual.flatMap((c) => c.ratios.map((x) => Math.abs(x - 1)))),
  mediansOutside: cliSketch.filter((c) => c.ratios.length > 0 && (median(c.ratios) < 0.8 || median(c.ratios) > 1.25)).map((c) => `${c.method} ${c.dtype} ${c.spectrum} r=${c.rank}`),
};
const command = `npm run bench -- error-estimate-grid${quick ? ' --quick' : ''}`;
const date = new Date().toISOString();
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'error-estimate-grid.json'), `${JSON.stringify({ command, date, seconds, load: [load0, load1], seeds, ranks, overall, rsvdOverall, cliOverall, cells, cliCells }, null, 1)}\n`);

const pct = (a: number, b: number) => (b === 0 ? '-' : `${(100 * a / b).toFixed(1)}%`);
const lines = [
  '# Error-estimate grid (issue 10, class 2)',
  '',
  `Command: \`${command}\` — ${date}, ${seconds.toFixed(0)} s, load ${load0.toFixed(1)} → ${load1.toFixed(1)} (2 cores shared).`,
  `Data and method: bench/error-estimate-grid.ts (1000 x 120, R = 10 unit singular values then the spectrum's tail; ${seeds.length} seeds per configuration).`,
  '',
  '## Summary',
  '',
  `- Library, three-sketch / two-sketch / FD at their default q = 32: ${overall.reported} of ${overall.runs} runs reported a number (the rest said why not); `
    + `**${pct(overall.inside, overall.reported)}** of those lie within [0.8, 1.25] of the truth (all runs, had every number been reported: ${pct(overall.insideAll, overall.runs)}; `
    + `the independent-Θ law predicts ${pct(overall.predicted, overall.runs)}). Configurations with a median outside [0.8, 1.25]: ${overall.mediansOutside.length === 0 ? 'none' : overall.mediansOutside.join('; ')}.`,
  `- Library, rsvd at its default q = 10: ${rsvdOverall.reported} of ${rsvdOverall.runs} runs reported a number, ${pct(rsvdOverall.inside, rsvdOverall.reported)} of them in range `
    + `(all runs: ${pct(rsvdOverall.insideAll, rsvdOverall.runs)}: the guard withholds the runs whose error has too few directions for 10 rows).`,
  `- CLI (\`approx --json\`, default budget), three-sketch / two-sketch / fd: ${cliOverall.reported} of ${cliOverall.runs} runs reported a number, ${pct(cliOverall.inside, cliOverall.reported)} in range; `
    + `medians outside: ${cliOverall.mediansOutside.length === 0 ? 'none' : cliOverall.mediansOutside.join('; ')}. `
    + `rsvd (kind 'residual'): the reported error equals the truth within ${cliOverall.residualMaxDeviation.toExponential(1)} (relative).`,
  '',
  '## Library, per configuration',
  '',
  'reported = runs with a number (reliable); in range = of those; median/min/max = ratio estimate / truth over all runs; predicted = mean probability of landing in range under the independent-Θ law for each run\'s own residual; self = mean of the estimate\'s own `inRangeProbability`.',
  '',
  '| method | maps | rows | centred | spectrum | rank | q | reported | in range | median | min | max | predicted | self |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...cells.map((c) => {
    const k = c.config;
    return `| ${k.method} | ${k.method === 'fd' ? '-' : k.testMatrix} | ${k.dtype} | ${k.center ? 'yes' : 'no'} | ${k.spectrum} | ${k.rank} | ${k.method === 'rsvd' ? 10 : 32} | `
      + `${c.reported}/${c.runs} | ${c.reported ? `${c.inside}/${c.reported}` : '-'} | ${c.medianRatio.toFixed(3)} | ${c.minRatio.toFixed(3)} | ${c.maxRatio.toFixed(3)} | ${c.predicted.toFixed(2)} | ${c.selfPredicted.toFixed(2)} |`;
  }),
  '',
  '## CLI, per configuration',
  '',
  '| method | kind | rows | spectrum | rank | reported | in range | median |',
  '|---|---|---|---|---|---|---|---|',
  ...cliCells.map((c) => `| ${c.method} | ${c.kind} | ${c.dtype} | ${c.spectrum} | ${c.rank} | ${c.reliable}/${c.runs} | `
    + `${c.kind === 'residual' ? `exact (max deviation ${Math.max(...c.ratios.map((x) => Math.abs(x - 1))).toExponential(1)})` : `${c.ratios.filter((x) => x >= 0.8 && x <= 1.25).length}/${c.ratios.length}`} | ${c.ratios.length ? median(c.ratios).toFixed(3) : '-'} |`),
  '',
];
writeFileSync(join(here, 'out', 'error-estimate-grid.md'), lines.join('\n'));
console.log(lines.slice(0, 12).join('\n'));
