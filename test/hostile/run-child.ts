/**
 * Runs the CLI as a child process for the hostile and signal suites: a private TMPDIR (so that
 * "nothing left behind" is checkable), a timeout, stdin from bytes or held open without data, the
 * peak resident memory polled from /proc (VmHWM, the kernel's high-water mark), and a hook on the
 * child's stderr lines (to learn a --listen port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'rangefinder.js');

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory in bytes (VmHWM, last read before exit), 0 if unknown. */
  peakRss: number;
  ms: number;
  timedOut: boolean;
}

export interface ChildOptions {
  tmpdir: string;
  cwd?: string;
  /** Bytes for stdin; 'hold': open, no data, ended after the child exits; default: closed. */
  stdin?: Buffer | 'hold';
  timeoutMs?: number;
  onStderrLine?: (line: string, child: ChildProcess) => void;
  onSpawn?: (child: ChildProcess) => void;
  env?: Record<string, string>;
}

function vmHwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch { return 0; }
}

export function runChild(args: readonly string[], opts: ChildOptions): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, RANGEFINDER_DEBUG: '', TMPDIR: opts.tmpdir, ...opts.env },
    });
    let stdout = '', stderr = '', partial = '', peak = 0, timedOut = false;
    const poll = setInterval(() => { if (child.pid !== undefined) peak = Math.max(peak, vmHwm(child.pid)); }, 20);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        opts.onStderrLine?.(line, child);
      }
    });
    child.stdin!.on('error', () => undefined);
    if (opts.stdin === undefined) child.stdin!.end();
    else if (opts.stdin !== 'hold') child.stdin!.end(opts.stdin);
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs ?? 30_000);
    opts.onSpawn?.(child);
    child.on('error', reject);
    child.on('exit', () => { if (child.pid !== undefined) peak = Math.max(peak, vmHwm(child.pid)); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      if (opts.stdin === 'hold') child.stdin!.end();
      resolve({ code, signal, stdout, stderr, peakRss: peak, ms: performance.now() - t0, timedOut });
    });
  });
}

/** A semaphore for a bounded number of children at once. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    while (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try { return await fn(); } finally {
      active--;
      queue.shift()?.();
    }
  };
}
