/**
 * The files of one `approx --out PREFIX` run, committed as one set: U, S, V (and the column mean
 * `mean` with --center, the row labels' side files with .npy) and the summary
 * (`PREFIX.summary.json`: the `--json` object, the set's id and each file's bytes and SHA-256).
 * Every file is written under a temporary name (durable.ts) and none is renamed until all are
 * complete; then `commitSet` renames them together under a lock whose journal a killed run's
 * successor finishes (durable.ts): a reader sees the previous set or the new one, never a mix, and
 * two runs writing the same prefix leave one run's set.
 *
 * The output is checked before the input is read (`prepareOutputSet`): the directory must exist,
 * be a directory and be writable (a probe file is created and removed), so that a bad `--out` is
 * refused at once, naming the user's path, instead of after a whole pass (or after consuming stdin
 * or a socket). A stale sweep removes what killed runs left in that directory.
 *
 * Names: `PREFIX.U.npy`, `PREFIX.S.npy`, `PREFIX.V.npy`, `PREFIX.summary.json` (`.arrow` /
 * `.parquet` with --format), and with .npy the side files of the row labels (`PREFIX.ids.npy`,
 * `PREFIX.features.json`: factor-writer.ts); a PREFIX ending in `/` is a directory: `DIR/U.npy`,
 * ..., `DIR/summary.json`. Every file of the set is named by `pathOf`, which remembers its name for
 * the summary's `files` and the JSON's `output`.
 *
 * The set also carries how its factors are written, decided once the input is open: the element
 * type of U and V (`dtype`) and the labels of their rows (`labels`, factor-writer.ts).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, openSync, closeSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commitSet, lockPathFor, selfOwner, sweepStale, tempPathFor, track, type SetEntry } from '../durable.js';
import type { FileSet } from '../sinks/atomic-file.js';
import type { OutFormat } from './approx-args.js';
import type { FactorLabels } from './factor-labels.js';
import { UsageError } from './usage-error.js';

export interface OutputSet extends FileSet {
  readonly prefix: string;
  readonly format: OutFormat;
  /** The final path of a file of the set (`U`, `S`, `V`, `ids`, ...), with the format's extension unless `ext` is given. */
  pathOf(name: string, ext?: string): string;
  /** Element type of U and V (--dtype; the input's by default). S and other vectors stay float64. */
  dtype: 'float32' | 'float64';
  /** The labels of each factor's rows, by factor name (U: --id-column, V: the input's column names). */
  readonly labels: Map<string, FactorLabels>;
  readonly summaryPath: string;
  /** Writes the summary and renames every file of the set into place; returns the final paths by name. */
  commit(summary: object): Promise<Record<string, string>>;
  /** Removes the temporaries written so far. */
  abort(): void;
}

/** The directory the files of PREFIX go to. */
export function outputDir(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) || '/' : dirname(prefix);
}

export function prepareOutputSet(prefix: string, format: OutFormat): OutputSet {
  const dir = outputDir(prefix);
  checkOutputDir(`--out ${prefix}`, dir);
  sweepStale(dir);
  const known = new Map<string, string>();
  const pathOf = (name: string, ext: string = format): string => {
    const path = prefix.endsWith('/') ? `${prefix}${name}.${ext}` : `${prefix}.${name}.${ext}`;
    known.set(path, name);
    return path;
  };
  const summaryPath = prefix.endsWith('/') ? `${prefix}summary.json` : `${prefix}.summary.json`;
  const entries: SetEntry[] = [];
  const names = new Map<string, string>();
  return {
    prefix, format, pathOf, summaryPath, dtype: 'float64', labels: new Map(),
    add(temp, final) {
      entries.push({ temp, final });
      const name = known.get(final);
      if (name !== undefined) names.set(name, final);
    },
    async commit(summary) {
      const files: Record<string, { path: string; bytes: number; sha256: string }> = {};
      for (const e of entries) {
        const name = [...names].find(([, f]) => f === e.final)?.[0] ?? e.final;
        files[name] = { path: e.final, ...digest(e.temp) };
      }
      const me = selfOwner();
      const text = `${JSON.stringify({ ...summary, set: { id: `${me.pid}-${me.start}-${Date.now()}`, files } }, null, 2)}\n`;
      const temp = tempPathFor(summaryPath);
      track(temp, 'file');
      writeFileSync(temp, text);
      await commitSet(lockPathFor(prefix), [...entries, { temp, final: summaryPath }]);
      return { ...Object.fromEntries(names), summary: summaryPath };
    },
    abort() {
      for (const e of entries) rmSync(e.temp, { force: true });
      entries.length = 0;
    },
  };
}

/**
 * The directory an output goes to must exist, be a directory and be writable (a probe file is
 * created and removed: access() can pass where creating fails, on a read-only file system or
 * through ACLs); a UsageError naming `what` (the option and the user's path) otherwise.
 */
export function checkOutputDir(what: string, dir: string): void {
  let st;
  try { st = statSync(dir); } catch {
    throw new UsageError(`${what}: the directory ${dir} does not exist (create it first)`);
  }
  if (!st.isDirectory()) throw new UsageError(`${what}: ${dir} is not a directory`);
  try { accessSync(dir, constants.W_OK | constants.X_OK); } catch {
    throw new UsageError(`${what}: cannot write in ${dir} (permission denied)`);
  }
  const probe = tempPathFor(join(dir, 'write-probe'));
  try { writeFileSync(probe, ''); rmSync(probe, { force: true }); } catch (e) {
    throw new UsageError(`${what}: cannot create files in ${dir} (${(e as { code?: string }).code ?? (e as Error).message})`);
  }
}

function digest(path: string): { bytes: number; sha256: string } {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, bytes);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally { closeSync(fd); }
  return { bytes, sha256: h.digest('hex') };
}
