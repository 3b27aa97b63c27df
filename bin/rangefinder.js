#!/usr/bin/env node
// The `rangefinder` command. Relaxed SIMD (fused multiply-add in the wasm kernels) is behind a V8
// flag on Node 20 that NODE_OPTIONS refuses, so it is set here, before any WebAssembly compiles;
// then the compiled CLI is loaded from dist/ (built by `npm run build`, run by `npm ci`).
import { setFlagsFromString } from 'node:v8';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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
// rxjs is a peer dependency (the RxJS operators must share the user's rxjs); npm 7+ installs it,
// --legacy-peer-deps does not: say so instead of failing with an internal error.
try {
  createRequire(import.meta.url).resolve('rxjs');
} catch {
  process.stderr.write('rangefinder: rxjs is not installed; it is a peer dependency of rangefinder (npm install rxjs@7)\n');
  process.exit(2);
}
await import(entry.href);
