#!/usr/bin/env node
// The `rangefinder` command. Relaxed SIMD (fused multiply-add in the wasm kernels) is behind a V8
// flag on Node 20 that NODE_OPTIONS refuses, so it is set here, before any WebAssembly compiles;
// then the compiled CLI is loaded from dist/ (built by `npm run build`, run by `npm ci`).
import { setFlagsFromString } from 'node:v8';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

setFlagsFromString('--experimental-wasm-relaxed-simd');

// A signal that arrives while the CLI loads (nothing is written yet) still exits 128 + n, quietly;
// the CLI replaces these with handlers that also remove its temporary files (streams/durable.ts).
const early = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const earlyHandlers = Object.entries(early).map(([sig, code]) => {
  const h = () => process.exit(code);
  process.on(sig, h);
  return [sig, h];
});
globalThis.__rangefinderEarlySignals = () => { for (const [sig, h] of earlyHandlers) process.off(sig, h); };

const entry = new URL('../dist/streams/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('rangefinder: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);
