/**
 * Atomic output files: a sink writes to a temporary name in the destination directory
 * (durable.ts: `.NAME.rf-PID-START-N.tmp`, registered for removal at exit, on SIGINT / SIGTERM /
 * SIGHUP, and by the next run's stale sweep after a SIGKILL) and renames it over the final name only
 * after the last byte is written, so a reader never sees a partial file under the final name
 * (rename is atomic within a file system).
 *
 * A file that belongs to a set (U, S, V and the summary of a run: output-set.ts) is not renamed
 * alone: `commit()` then closes it and hands it to the set, which renames the whole set at once.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { tempPathFor, track } from '../durable.js';

/** Something that collects finished temporaries and renames them together (output-set.ts). */
export interface FileSet {
  add(temp: string, final: string): void;
}

export interface AtomicFile {
  readonly path: string;
  readonly tempPath: string;
  readonly fd: number;
  /** Closes and renames into place (or hands the file to its set). */
  commit(): void;
  /** Closes and removes the temporary file (idempotent; a no-op after commit). */
  abort(): void;
}

export function createAtomicFile(path: string, set?: FileSet): AtomicFile {
  const tempPath = tempPathFor(path);
  const fd = openSync(tempPath, 'w');
  const untrack = track(tempPath, 'file');
  let open = true;
  let done = false;
  const close = (): void => { if (open) { open = false; closeSync(fd); } };
  return {
    path, tempPath, fd,
    commit() {
      if (set !== undefined) {
        fsyncSync(fd);
        close();
        set.add(tempPath, path);
        done = true;
        return;
      }
      close();
      renameSync(tempPath, path);
      untrack();
      done = true;
    },
    abort() {
      if (done) return;
      try { close(); } finally {
        rmSync(tempPath, { force: true });
        untrack();
        done = true;
      }
    },
  };
}
