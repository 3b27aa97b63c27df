/**
 * Fault injection for the crash tests: `RANGEFINDER_STALL_AT=NAME:MS[,NAME:MS...]` makes the process
 * print `rangefinder: stalled at NAME` on stderr and block for MS milliseconds (synchronously: no
 * other callback runs) each time it reaches the named point, so a test can send SIGKILL while it is
 * exactly there (inside a checkpoint write, in the middle of writing U). Unset, a point costs one
 * property read. The points: `checkpoint` (the range-row spill fsynced, the checkpoint not yet
 * written), `sketch-file` (a sketch file complete and fsynced under its temporary name, not yet
 * renamed), `u-write` (after the first block of the tall factor).
 */
import { writeSync } from 'node:fs';

let table: Map<string, number> | null = null;

export function stallPoint(name: string): void {
  const spec = process.env.RANGEFINDER_STALL_AT;
  if (spec === undefined || spec === '') return;
  table ??= new Map(spec.split(',').map((p) => { const [n, ms] = p.split(':'); return [n!.trim(), Number(ms ?? 1000)] as const; }));
  const ms = table.get(name);
  if (ms === undefined) return;
  writeSync(2, `rangefinder: stalled at ${name}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
