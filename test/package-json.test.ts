// A test of package.json itself (hyparquet's habit): what users and scripts depend on must not drift.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown> & {
  type: string; bin: Record<string, string>; engines: Record<string, string>; scripts: Record<string, string>;
  exports: Record<string, { types: string; default: string }>; dependencies: Record<string, string>;
  devDependencies: Record<string, string>; peerDependencies?: Record<string, string>;
};

describe('package.json', () => {
  it('is an ESM package for Node 20 or newer', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.engines.node).toMatch(/>=\s*20/);
  });

  it('exposes the rangefinder command through a committed bin script', () => {
    expect(pkg.bin.rangefinder).toBe('bin/rangefinder.js');
    const bin = readFileSync(new URL(`../${pkg.bin.rangefinder}`, import.meta.url), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('exports the numerics and the streams layer, built into dist/', () => {
    expect(pkg.exports['.'].default).toBe('./dist/src/index.js');
    expect(pkg.exports['./streams'].default).toBe('./dist/streams/index.js');
    for (const entry of ['src/index.ts', 'streams/index.ts']) {
      expect(existsSync(new URL(`../${entry}`, import.meta.url)), entry).toBe(true);
    }
  });

  it('has the two README commands and the bench script', () => {
    expect(pkg.scripts.test).toContain('vitest run');
    expect(pkg.scripts.test).toContain('typecheck');
    expect(pkg.scripts.test).toContain('lint');
    expect(pkg.scripts.start).toContain('bin/rangefinder.js');
    expect(pkg.scripts.prepare).toContain('build');
    expect(pkg.scripts.bench).toBeDefined();
  });

  it('pins the toolchain the machine supports (vitest 4.1, TypeScript 6.0)', () => {
    expect(pkg.devDependencies.vitest).toMatch(/^~?\^?4\.1/);
    expect(pkg.devDependencies.typescript).toMatch(/^~?6\.0/);
  });

  it('declares what the CLI needs to run as dependencies and rxjs as a wide peer (issue 18)', () => {
    // Arrow (and Parquet) readers and the --report plots are needed to run: plain dependencies, so
    // --legacy-peer-deps and a project on another apache-arrow still get a working CLI.
    for (const d of ['apache-arrow', 'hyparquet', 'vega', 'vega-lite']) expect(pkg.dependencies[d], d).toBeDefined();
    expect(pkg.peerDependencies?.['apache-arrow']).toBeUndefined();
    // RxJS operators must share the user's rxjs (one Observable/Subscriber class): a peer with a
    // wide range, and a devDependency for our own tests.
    expect(pkg.dependencies.rxjs).toBeUndefined();
    expect(pkg.peerDependencies?.rxjs).toBe('>=7.5.0 <8');
    expect(pkg.devDependencies.rxjs).toBeDefined();
    for (const d of Object.keys(pkg.dependencies)) expect(pkg.devDependencies[d], `${d} twice`).toBeUndefined();
  });

  it('the tarball ships the library, the CLI and its sources, never bench/ or test/', () => {
    const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    })) as { files: { path: string }[] }[];
    const files = listing[0].files.map((f) => f.path);
    expect(files).toContain('bin/rangefinder.js');
    expect(files).toContain('dist/streams/cli/main.js');
    expect(files).toContain('LICENSE');
    expect(readFileSync(new URL('../LICENSE', import.meta.url), 'utf8')).toMatch(/^MIT License/);
    expect(pkg.license).toBe('MIT');
    expect(files.filter((f) => /^(dist\/)?(bench|test)\//.test(f))).toEqual([]);
  });

  it('reads Parquet with hyparquet; parquetjs-lite only in tests', () => {
    expect(pkg.dependencies.hyparquet).toBeDefined();
    expect(pkg.dependencies['hyparquet-compressors']).toBeDefined();
    expect(pkg.dependencies['parquetjs-lite']).toBeUndefined();
  });

  it('runs models with onnxruntime-node only as an optional peer (and a devDependency for the tests)', () => {
    const p = pkg as typeof pkg & { peerDependenciesMeta?: Record<string, { optional?: boolean }>; allowScripts?: Record<string, boolean> };
    expect(p.dependencies['onnxruntime-node']).toBeUndefined();
    expect(p.peerDependencies?.['onnxruntime-node']).toBeDefined();
    expect(p.peerDependenciesMeta?.['onnxruntime-node']?.optional).toBe(true);
    expect(p.devDependencies['onnxruntime-node']).toBeDefined();
    expect(p.dependencies.protobufjs).toBeDefined();
    // Its install script only downloads GPU files; the CPU binaries ship in the npm package.
    expect(p.allowScripts?.['onnxruntime-node']).toBe(false);
    expect(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip[\s\S]*npm ci/);
  });
});
