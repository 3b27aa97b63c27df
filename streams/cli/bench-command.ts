/**
 * `rangefinder bench [...]`: the pass-budget benchmark (bench/pass-budget.ts), loaded on demand so
 * that approx and inspect do not pay for it. `npm run bench` runs it with every other benchmark.
 */
import type { CommandIo } from './approx-command.js';
import { BENCH_HELP } from './help-text.js';

export async function benchCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { io.stdout.write(BENCH_HELP); return 0; }
  const { runPassBudget } = await import('../../bench/pass-budget.js');
  await runPassBudget(argv, io.stdout);
  return 0;
}
