/**
 * The CLI's input: a command-line spec (or `--listen`) turned into a MeasuredSource by `openSource`
 * (streams/sources/open-source.ts), or by `listenTcp` for --listen so that the bound port can be
 * printed (`--listen 127.0.0.1:0` picks a free one).
 *
 * A file is checked before any source touches it, so that a missing file or an unknown extension is
 * bad input (exit 2) with a message naming it, not an internal error.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { sniffFormat } from '../sources/sniff-format.js';
import { extname } from 'node:path';
import { openSource } from '../sources/open-source.js';
import type { MeasuredSource, SourceOptions } from '../sources/source-options.js';
import { UsageError } from './usage-error.js';

export interface InputSpec {
  input?: string;
  listen?: { host: string; port: number };
  /** Called once the --listen socket is bound (the CLI prints the address on stderr). */
  onListening?: (host: string, port: number) => void;
}

const FILE_EXTENSIONS = ['.npy', '.arrow', '.feather', '.ipc', '.arrows', '.parquet', '.pq'];

export async function openInput(spec: InputSpec, opts: SourceOptions): Promise<MeasuredSource> {
  if (spec.listen !== undefined) {
    const { listenTcp } = await import('../sources/listen-tcp.js');
    const src = await listenTcp(spec.listen, opts);
    spec.onListening?.(src.host, src.port);
    return src;
  }
  checkInputFile(spec.input!);
  return openSource(spec.input!, opts);
}

/** A file input must have a known extension, exist and not be a directory (bad input, exit 2). */
export function checkInputFile(input: string): void {
  if (input === '-' || input === 'stdin') {
    if (process.stdin.isTTY === true) {
      throw new UsageError('stdin is a terminal: pipe an Arrow IPC stream into it (producer | rangefinder approx - ...), or give a file');
    }
    return;
  }
  const isStream = /^(tcp|listen):\/\//.test(input) || input.startsWith('synthetic:');
  if (isStream) return;
  if (!existsSync(input)) throw new UsageError(`${input}: no such file`);
  if (statSync(input).isDirectory()) throw new UsageError(`${input}: is a directory, expected a file`);
  // The format is told by the file's first bytes (sniff-format.ts); the extension is only a hint,
  // needed when the bytes are not recognised (then the decoder it names says what it found).
  if (sniffFormat(input) === null && !FILE_EXTENSIONS.includes(extname(input).toLowerCase())) {
    const head = readHead(input);
    throw new UsageError(`${input}: cannot tell its format: it starts with ${head}, which is not a .npy, Arrow IPC (file or stream) or Parquet header; expected one of those, - for stdin, or tcp://HOST:PORT`);
  }
}

function readHead(path: string): string {
  const b = Buffer.alloc(8);
  let n = 0;
  try { const fd = openSync(path, 'r'); try { n = readSync(fd, b, 0, 8, 0); } finally { closeSync(fd); } } catch { return 'unreadable bytes'; }
  return n === 0 ? 'nothing (0 bytes)' : `bytes ${Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ')} (${JSON.stringify(b.subarray(0, n).toString('latin1').replace(/[^\x20-\x7e]/g, '.'))})`;
}
