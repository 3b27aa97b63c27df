/**
 * The one module that owns rangefinder's files that are not (yet) results: temporary names, owner
 * markers, removal on exit and on signals, removal of what a killed run left behind, and the
 * commit of a set of files as one (all or nothing). The CLI's outputs, the range-sketch spill and
 * (later) checkpoints all go through it.
 *
 * Owners. A temporary file or directory carries its owner in its name: the process id and the
 * process's start time (field 22 of /proc/PID/stat, clock ticks since boot; empty where /proc is
 * missing). An owner is alive iff a process with that pid exists AND has that start time, so a
 * reused pid never makes a dead run's files look alive, and a live run's files are never taken
 * for stale ones.
 *
 * Names (all start with a dot or `rangefinder-`, so nothing else is ever matched):
 * - `.NAME.rf-PID-START-N.tmp` next to the final NAME (a file being written);
 * - `rangefinder-spill-PID-START-XXXXXX/` in the temp directory (os.tmpdir(), i.e. $TMPDIR);
 * - `rangefinder-shards@HOST-PID-START-XXXXXX/` on shared storage (`createSharedTempDir`): swept only
 *   by a run on HOST;
 * - `.NAME.rf-set.lock` next to a set's files while the set is committed (its journal).
 *
 * Cleanup. Every temporary is registered when created and unregistered when committed or removed;
 * `cleanupNow()` removes what is registered, synchronously. It runs at process exit and, once
 * `installSignalCleanup()` has run (the CLI does), on SIGINT, SIGTERM and SIGHUP, after which the
 * process exits with 128 + the signal number (130, 143, 129). A SIGKILL cannot be caught: the next
 * run's `sweepStale(dir)` removes the temporaries of dead owners in the directories it uses (the
 * temp directory, the output directory), after completing any set commit a dead run had begun.
 *
 * Sets. `commitSet(lockPath, entries)` renames temporaries to their final names as one set: it
 * fsyncs the files, takes the lock with an atomic link (the lock file is the journal: owner and
 * the list of renames), does the renames and the directory fsync synchronously (no signal handler
 * runs in between), and removes the lock. Two runs committing to the same names therefore commit
 * one after the other (the second waits while the first holds the lock), and the final set is
 * always one run's. A run killed while holding the lock leaves a journal; the next run that meets
 * it (`recoverStaleLock`, called by `sweepStale` and `commitSet`) finishes the renames, so the set
 * ends whole. Documented in the README ("Outputs").
 */
import {
  closeSync, existsSync, fsyncSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { SourceError } from '../src/internals.js';

export interface Owner {
  readonly pid: number;
  /** Start time of the process (clock ticks since boot), '' when unknown. */
  readonly start: string;
}

function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 2 (comm) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? '';
  } catch {
    return '';
  }
}

let self: Owner | null = null;

/** This process. */
export function selfOwner(): Owner {
  self ??= { pid: process.pid, start: startTimeOf(process.pid) };
  return self;
}

/** Whether the process that owns a temporary is still running (the same process, not a reused pid). */
export function ownerAlive(o: Owner): boolean {
  if (o.pid === process.pid) return o.start === selfOwner().start;
  try { process.kill(o.pid, 0); } catch (e) {
    // EPERM: it exists (another user's): alive.
    if ((e as { code?: string }).code !== 'EPERM') return false;
  }
  if (o.start === '') return true;
  const now = startTimeOf(o.pid);
  return now === '' || now === o.start;
}

const tag = (o: Owner): string => `${o.pid}-${o.start || '0'}`;

// ---------------------------------------------------------------------------------------------
// Registry and cleanup

const registered = new Map<string, 'file' | 'dir'>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => cleanupNow());
}

/** Registers a temporary to remove at exit or on a signal; returns its unregistration. */
export function track(path: string, kind: 'file' | 'dir'): () => void {
  hookExit();
  registered.set(path, kind);
  return () => { registered.delete(path); };
}

/** Unregisters a temporary that its owner removed or committed. */
export function untrack(path: string): void {
  registered.delete(path);
}

/** Removes every registered temporary now (synchronously); safe to call more than once. */
export function cleanupNow(): void {
  for (const [p, kind] of [...registered]) {
    try { rmSync(p, { recursive: kind === 'dir', force: true }); } catch { /* best effort */ }
    registered.delete(p);
  }
}

/** Registered temporaries (tests and diagnostics). */
export function trackedPaths(): string[] {
  return [...registered.keys()];
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
let signalsInstalled = false;

/**
 * On SIGINT, SIGTERM and SIGHUP: remove every registered temporary, then exit with 128 + the
 * signal's number (130, 143, 129). `onSignal` runs first (the CLI writes its one line there).
 */
export function installSignalCleanup(onSignal?: (signal: string) => void): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const [sig, num] of Object.entries(SIGNALS)) {
    process.on(sig, () => {
      if (takeover !== undefined) { takeover(sig); return; }
      try { onSignal?.(sig); } catch { /* the exit matters more */ }
      cleanupNow();
      process.exit(128 + num);
    });
  }
  // bin/rangefinder.js exits quietly on a signal while the CLI loads; from here on, with cleanup.
  // Removed after ours are on, so a signal's handle never closes (see takeOverSignals).
  (globalThis as { __rangefinderEarlySignals?: () => void }).__rangefinderEarlySignals?.();
}

let takeover: ((signal: string) => void) | undefined;

/**
 * A command that handles SIGINT, SIGTERM and SIGHUP itself (the worker finishes or returns its jobs
 * before it exits) takes them over here: its handler replaces the cleanup-and-exit, on the same
 * listeners. Swapping the process's listeners instead (removeAllListeners, then on) closes the
 * signal handle, and a signal already caught but not yet dispatched to it is dropped: the process
 * neither handles it nor dies of it.
 */
export function takeOverSignals(handler: (signal: string) => void): void {
  takeover = handler;
  installSignalCleanup();
}

// ---------------------------------------------------------------------------------------------
// Names

let counter = 0;
const TEMP_RE = /^\.(.+)\.rf-(\d+)-(\d+)-\d+\.tmp$/;
/** `rangefinder-spill-PID-START-`, or `rangefinder-shards@HOST-PID-START-` (a directory on storage other hosts share). */
const SPILL_RE = /^rangefinder-(?:spill|shards@([A-Za-z0-9._]+))-(\d+)-(\d+)-/;
const LOCK_RE = /^\.(.+)\.rf-set\.lock$/;

/** A temporary name for `final`, in the same directory (so that the rename is atomic). */
export function tempPathFor(final: string): string {
  return join(dirname(final), `.${basename(final)}.rf-${tag(selfOwner())}-${++counter}.tmp`);
}

/** Creates a fresh temporary directory `PREFIX-PID-START-XXXXXX` under `parent` (default $TMPDIR), registered. */
export function createTempDir(prefix = 'rangefinder-spill', parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, `${prefix}-${tag(selfOwner())}-`));
  track(dir, 'dir');
  return dir;
}

function ownerOf(name: string): Owner | null {
  const t = TEMP_RE.exec(name);
  if (t !== null) return { pid: Number(t[2]), start: t[3] === '0' ? '' : t[3] };
  const m = SPILL_RE.exec(name);
  // A directory another host made: its owner cannot be looked up here, so it is never taken for stale.
  if (m === null || (m[1] !== undefined && m[1] !== hostTag())) return null;
  return { pid: Number(m[2]), start: m[3] === '0' ? '' : m[3] };
}

/** This host's name as it goes into a shared directory's name (`createSharedTempDir`). */
export function hostTag(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, '_') || 'host';
}

/**
 * A fresh temporary directory `PREFIX@HOST-PID-START-XXXXXX` under `parent` on storage that other
 * hosts share (the shards of `approx --distributed`), registered like `createTempDir`. Its host is
 * in its name: a sweep removes it only on this host, once its owner is dead.
 */
export function createSharedTempDir(prefix: string, parent: string): string {
  return createTempDir(`${prefix}@${hostTag()}`, parent);
}

// ---------------------------------------------------------------------------------------------
// Stale sweep

/**
 * Removes from `dir` the temporaries (and spill directories) of owners that are no longer alive,
 * after finishing the set commits they had begun. Returns the removed paths. Never touches a name
 * that is not one of ours, nor anything of a live owner.
 */
export function sweepStale(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try { names = readdirSync(dir); } catch { return removed; }
  for (const name of names) {
    if (LOCK_RE.test(name)) recoverStaleLock(join(dir, name));
  }
  try { names = readdirSync(dir); } catch { return removed; }
  for (const name of names) {
    const o = ownerOf(name);
    if (o === null || ownerAlive(o)) continue;
    const p = join(dir, name);
    try { rmSync(p, { recursive: true, force: true }); removed.push(p); } catch { /* raced with another sweeper */ }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Sets

export interface SetEntry {
  readonly temp: string;
  readonly final: string;
}

interface Journal {
  readonly pid: number;
  readonly start: string;
  readonly entries: readonly SetEntry[];
}

/** The lock (and journal) path of a set whose files share `prefix`'s directory. */
export function lockPathFor(prefixPath: string): string {
  const dir = prefixPath.endsWith('/') ? prefixPath.slice(0, -1) || '.' : dirname(prefixPath);
  const base = prefixPath.endsWith('/') ? 'output' : basename(prefixPath);
  return join(dir, `.${base}.rf-set.lock`);
}

function readJournal(lock: string): Journal | null {
  try { return JSON.parse(readFileSync(lock, 'utf8')) as Journal; } catch { return null; }
}

/**
 * A lock left by a dead owner: its renames are finished (each temporary that still exists is
 * renamed to its final name; they were all complete when the lock was taken), then the lock is
 * removed. A lock of a live owner is left alone. Returns whether a stale lock was recovered.
 */
export function recoverStaleLock(lock: string): boolean {
  const j = readJournal(lock);
  if (j !== null && ownerAlive({ pid: j.pid, start: j.start })) return false;
  if (j === null) {
    // Unreadable: a lock being created right now (its link is atomic, so a half-written journal
    // cannot be the lock) or garbage. Leave a fresh one alone; remove an old one.
    try { if (Date.now() - statSync(lock).mtimeMs < 10_000) return false; } catch { return false; }
  }
  for (const e of j?.entries ?? []) {
    if (existsSync(e.temp)) { try { renameSync(e.temp, e.final); } catch { /* leave it to the sweep */ } }
  }
  try { unlinkSync(lock); } catch { /* another run recovered it */ }
  return true;
}

function fsyncPath(p: string, dir = false): void {
  let fd = -1;
  try { fd = openSync(p, dir ? 'r' : 'r+'); fsyncSync(fd); } catch { /* fsync of a directory is not supported everywhere */ } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export interface CommitOptions {
  /** How long to wait for another live run's commit to the same set (default 60 s). */
  readonly waitMs?: number;
}

/**
 * Renames every `entry.temp` to `entry.final` as one set (see the file comment). The temporaries
 * must be complete. Throws a SourceError if another live run holds the set's lock for longer
 * than `waitMs`.
 */
export async function commitSet(lock: string, entries: readonly SetEntry[], opts: CommitOptions = {}): Promise<void> {
  for (const e of entries) fsyncPath(e.temp);
  const me = selfOwner();
  const journalTemp = tempPathFor(lock);
  writeFileSync(journalTemp, JSON.stringify({ pid: me.pid, start: me.start, entries } satisfies Journal));
  const untrack = track(journalTemp, 'file');
  fsyncPath(journalTemp);
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  try {
    for (;;) {
      try {
        linkSync(journalTemp, lock);
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
        if (recoverStaleLock(lock)) continue;
        if (Date.now() > deadline) {
          const j = readJournal(lock);
          throw new SourceError(`${entries[0] !== undefined ? dirname(entries[0].final) : lock}: another rangefinder run (pid ${j?.pid ?? '?'}) has been committing to the same output names for ${Math.round((opts.waitMs ?? 60_000) / 1000)} s; its lock is ${lock}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    // From here to the unlink, synchronous: no signal handler, no other callback runs in between.
    // The lock is not registered for cleanup: if a rename fails, it stays as the journal that the
    // next run finishes (recoverStaleLock), so the set is never left half renamed.
    for (const e of entries) {
      renameSync(e.temp, e.final);
      registered.delete(e.temp);
    }
    fsyncPath(dirname(lock), true);
    unlinkSync(lock);
  } finally {
    rmSync(journalTemp, { force: true });
    untrack();
  }
}

/** Creates `dir` (and parents) if missing; used for a set written into a directory. */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
