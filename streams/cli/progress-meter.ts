/**
 * The progress line on stderr for long runs: rows (of the total when known), MB/s of input,
 * elapsed time and resident memory, redrawn at most 4 times a second with a carriage return, and
 * erased at the end. When the row count is known it also shows the percentage done and an ETA
 * (over all passes of a multi-pass run: done = ((pass - 1) rows + rows of this pass) / (passes rows),
 * ETA = elapsed (1 - done) / done, shown once 1% is done). Silent unless enabled (the CLI enables
 * it only when stderr is a terminal and --no-progress was not given), so logs and pipes never see it.
 */
export interface ProgressMeter {
  /** A block of `rows` rows and `bytes` input bytes was absorbed in pass `pass` of `passes`. */
  block(rows: number, bytes: number, pass?: number, passes?: number): void;
  /** A free-form phase ('writing U', ...). */
  phase(text: string): void;
  /** Erases the line. */
  done(): void;
}

/** What the progress stream needs of a terminal (process.stderr, or a fake in tests). */
export interface ProgressOutput {
  write(text: string): unknown;
  columns?: number;
}

/** `3.2 s`, `4 min 05 s`, `1 h 02 min`. */
export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) return '?';
  if (secs < 60) return `${secs.toFixed(secs < 10 ? 1 : 0)} s`;
  const s = Math.round(secs);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function createProgressMeter(enabled: boolean, totalRows?: number, out: ProgressOutput = process.stderr,
  now: () => number = () => performance.now()): ProgressMeter {
  const t0 = now();
  let rows = 0, bytes = 0, last = -Infinity, shown = false, passNo = 1, passTotal = 1;
  const width = (): number => Math.max(60, (out.columns || 100) - 1);
  const draw = (text: string): void => {
    if (!enabled) return;
    out.write(`\r${text.slice(0, width()).padEnd(width())}`);
    shown = true;
  };
  const line = (): string => {
    const secs = (now() - t0) / 1000;
    const mbs = secs > 0 ? bytes / 1e6 / secs : 0;
    const pass = passTotal > 1 ? `pass ${passNo}/${passTotal}  ` : '';
    const rss = (process.memoryUsage.rss() / 2 ** 20).toFixed(0);
    let known = '';
    if (totalRows !== undefined && totalRows > 0) {
      const done = Math.min(1, ((passNo - 1) * totalRows + Math.min(rows, totalRows)) / (passTotal * totalRows));
      const eta = done >= 0.01 && done < 1 ? `  ETA ${formatDuration((secs * (1 - done)) / done)}` : '';
      known = `/${totalRows} ${(100 * done).toFixed(done < 0.1 ? 1 : 0)}%${eta}`;
    }
    return `rangefinder: ${pass}rows ${rows}${known}  ${mbs.toFixed(1)} MB/s  ${formatDuration(secs)}  rss ${rss} MiB`;
  };
  return {
    block(r, b, pass = 1, passes = 1) {
      if (pass !== passNo) { passNo = pass; rows = 0; }
      passTotal = passes;
      rows += r; bytes += b;
      const t = now();
      if (t - last < 250) return;
      last = t;
      draw(line());
    },
    phase(text) { draw(`rangefinder: ${text}  ${formatDuration((now() - t0) / 1000)}`); },
    done() { if (enabled && shown) out.write(`\r${' '.repeat(width())}\r`); shown = false; },
  };
}
