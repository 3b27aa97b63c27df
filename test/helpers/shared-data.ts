/**
 * Where the suite finds data. The project's shared data lives beside the checkout, at
 * `../shared/data` relative to the repository root (or wherever RANGEFINDER_SHARED_DATA points):
 * the five real matrices and the Apache parquet-testing collection. Tests that sweep them skip
 * cleanly when it is absent (`hasSharedData`), and the suite's essential files are committed under
 * test/fixtures (`fixture`), so a fresh clone with nothing beside it still runs every other test.
 * Benchmarks use the same helper.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The shared data directory (may not exist). */
export const SHARED_DATA = process.env.RANGEFINDER_SHARED_DATA ?? join(ROOT, '..', 'shared', 'data');

/** A path inside the shared data directory. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/** Whether the shared data (or one file or folder of it) is there. */
export function hasSharedData(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/** A committed fixture (test/fixtures/...), or the demo matrix (data/...). */
export function fixture(...parts: string[]): string {
  return parts[0] === 'data' ? join(ROOT, ...parts) : join(ROOT, 'test', 'fixtures', ...parts);
}

/** A real matrix: the shared copy when present, else the committed fixture of the same name, else undefined. */
export function realMatrix(name: string): string | undefined {
  if (hasSharedData('matrices', name)) return sharedPath('matrices', name);
  const f = name === 'sklearn_digits.npy' ? fixture('data', name) : fixture('matrices', name);
  return existsSync(f) ? f : undefined;
}
