#!/usr/bin/env node
// The `rangefinder` command. Relaxed SIMD (fused multiply-add in the wasm kernels) is behind a V8
// flag on Node 20 that NODE_OPTIONS refuses, so it is set here, before any WebAssembly compiles;
// then the compiled CLI is loaded from dist/ (built by `npm run build`, run by `npm ci`).
import { setFlagsFromString } from 'node:v8';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const entry = new URL('../dist/streams/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('rangefinder: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);
