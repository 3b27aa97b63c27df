/**
 * Atomic output files: a sink writes to a temporary name in the destination directory and renames it
 * over the final name only after the last byte is written, so a reader never sees a partial file
 * under the final name (rename is atomic within a file system). Temporary files still pending at
 * process exit (an error path, a crash of the pipeline) are removed by one exit hook.
 */
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const pending = new Set<string>();
let hooked = false;
let counter = 0;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => { for (const p of pending) rmSync(p, { force: true }); });
}

export interface AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  readonly fd: number;
  /** Closes and renames into place. */
  commit(): void;
  /** Closes and removes the temporary file (idempotent; a no-op after commit). */
  abort(): void;
}

export function createAtomicFile(path: string): AtomicFile {
  hook();
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  const fd = openSync(tempPath, 'w');
  pending.add(tempPath);
  let open = true;
  let done = false;
  const close = (): void => { if (open) { open = false; closeSync(fd); } };
  return {
    path, tempPath, fd,
    commit() {
      close();
      renameSync(tempPath, path);
      pending.delete(tempPath);
      done = true;
    },
    abort() {
      if (done) return;
      try { close(); } finally {
        rmSync(tempPath, { force: true });
        pending.delete(tempPath);
        done = true;
      }
    },
  };
}
