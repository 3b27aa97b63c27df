/**
 * The architecture is a rule, not a promise (docs/ARCHITECTURE.md): the project's own ESLint config
 * fails on a probe that imports upward or across the layers of src/, on streams/ reaching past the
 * faces of src/, on src/ importing I/O, and on an import cycle; and passes on a probe that follows
 * the rules (the control).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli-harness.js';

const eslint = new ESLint({ cwd: ROOT });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return res!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint enforces the architecture', () => {
  it('refuses upward and cross-layer imports inside src/', async () => {
    const up = await ruleIds("import { planApprox } from '../plan/plan-approx.js';\nexport const x = planApprox;\n", 'src/linalg/probe.ts');
    expect(up.join('\n')).toMatch(/import-x\/no-restricted-paths: .*layer rule.*src\/linalg/);
    const across = await ruleIds("import { fromSpectrum } from '../synthetic/from-spectrum.js';\nexport const x = fromSpectrum;\n", 'src/maps/probe.ts');
    expect(across.join('\n')).toMatch(/layer rule.*src\/maps/);
    const toStreams = await ruleIds("import { fromNpy } from '../../streams/sources/from-npy.js';\nexport const x = fromNpy;\n", 'src/sketch/probe.ts');
    expect(toStreams.join('\n')).toMatch(/src\/ is pure numerics|restricted/);
    const io = await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'src/linalg/probe.ts');
    expect(io.join('\n')).toMatch(/no-restricted-imports/);
  });

  it('refuses streams/ importing src/ past its faces', async () => {
    const deep = await ruleIds("import { svd } from '../src/linalg/svd.js';\nexport const x = svd;\n", 'streams/probe.ts');
    expect(deep.join('\n')).toMatch(/only through its faces/);
  });

  it('refuses the rings of streams/ being crossed: the CLI from below, a sink importing a source', async () => {
    const cli = await ruleIds("import { runApprox } from '../cli/run-approx.js';\nexport const x = runApprox;\n", 'streams/operators/probe.ts');
    expect(cli.join('\n')).toMatch(/only streams\/cli imports streams\/cli/);
    const sink = await ruleIds("import { fromNpy } from '../sources/from-npy.js';\nexport const x = fromNpy;\n", 'streams/sinks/probe.ts');
    expect(sink.join('\n')).toMatch(/a sink only writes/);
    const source = await ruleIds("import { writeNpy } from '../sinks/write-npy.js';\nexport const x = writeNpy;\n", 'streams/sources/probe.ts');
    expect(source.join('\n')).toMatch(/a source only decodes/);
    const within = await ruleIds("import { fromNpy } from '../sources/from-npy.js';\nexport const x = fromNpy;\n", 'streams/cli/probe.ts');
    expect(within.filter((m) => /restricted/.test(m))).toEqual([]);
  });

  it('control: a probe that follows the rules passes', async () => {
    const ok = await ruleIds("import { svd } from '../svd.js';\nimport { gemm } from '../../kernels/gemm.js';\nexport const x = [svd, gemm];\n", 'src/linalg/sub/probe.ts');
    expect(ok.filter((m) => /import-x|restricted/.test(m))).toEqual([]);
    const face = await ruleIds("import { svd } from '../src/internals.js';\nexport const x = svd;\n", 'streams/probe.ts');
    expect(face).toEqual([]);
  });

  it('refuses an import cycle', async () => {
    const dir = join(ROOT, 'streams', '__lint_probe__');
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
      const [res] = await eslint.lintFiles([join(dir, 'a.ts')]);
      expect(res!.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
