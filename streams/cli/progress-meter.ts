/**
 * The progress line on stderr for long runs: rows (of the total when known), MB/s of input,
 * elapsed time and resident memory, redrawn at most 4 times a second with a carriage return, and
 * erased at the end. Silent unless enabled (the CLI enables it only when stderr is a terminal and
 * --no-progress was not given), so logs and pipes never see it.
 */
export interface ProgressMeter {
  /** A block of `rows` rows and `bytes` input bytes was absorbed in pass `pass` of `passes`. */
  block(rows: number, bytes: number, pass?: number, passes?: number): void;
  /** A free-form phase ('writing U', ...). */
  phase(text: string): void;
  /** Erases the line. */
  done(): void;
}

export function createProgressMeter(enabled: boolean, totalRows?: number, out: NodeJS.WriteStream = process.stderr): ProgressMeter {
  const t0 = performance.now();
  let rows = 0, bytes = 0, last = 0, shown = false, passNo = 1, passTotal = 1;
  const width = (): number => Math.max(60, (out.columns || 100) - 1);
  const draw = (text: string): void => {
    if (!enabled) return;
    out.write(`\r${text.slice(0, width()).padEnd(width())}`);
    shown = true;
  };
  const line = (): string => {
    const secs = (performance.now() - t0) / 1000;
    const mbs = secs > 0 ? bytes / 1e6 / secs : 0;
    const of = totalRows !== undefined ? `/${totalRows}` : '';
    const pass = passTotal > 1 ? `pass ${passNo}/${passTotal}  ` : '';
    const rss = (process.memoryUsage.rss() / 2 ** 20).toFixed(0);
    return `rangefinder: ${pass}rows ${rows}${of}  ${mbs.toFixed(1)} MB/s  ${secs.toFixed(1)} s  rss ${rss} MiB`;
  };
  return {
    block(r, b, pass = 1, passes = 1) {
      if (pass !== passNo) { passNo = pass; rows = 0; }
      passTotal = passes;
      rows += r; bytes += b;
      const now = performance.now();
      if (now - last < 250) return;
      last = now;
      draw(line());
    },
    phase(text) { draw(`rangefinder: ${text}  ${((performance.now() - t0) / 1000).toFixed(1)} s`); },
    done() { if (enabled && shown) out.write(`\r${' '.repeat(width())}\r`); shown = false; },
  };
}
