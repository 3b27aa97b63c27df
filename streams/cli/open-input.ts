/**
 * The CLI's input: a command-line spec (or `--listen`) turned into a MeasuredSource by `openSource`
 * (streams/sources/open-source.ts), or by `listenTcp` for --listen so that the bound port can be
 * printed (`--listen 127.0.0.1:0` picks a free one).
 *
 * A file is checked before any source touches it, so that a missing file or an unknown extension is
 * bad input (exit 2) with a message naming it, not an internal error.
 */
import { existsSync, statSync } from 'node:fs';
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
  const isStream = input === '-' || input === 'stdin' || /^(tcp|listen):\/\//.test(input) || input.startsWith('synthetic:');
  if (isStream) return;
  const ext = extname(input).toLowerCase();
  if (!FILE_EXTENSIONS.includes(ext)) {
    throw new UsageError(`${input}: unknown input type '${ext || '(no extension)'}'; expected a file ending in ${FILE_EXTENSIONS.join(', ')}, - for stdin, or tcp://HOST:PORT`);
  }
  if (!existsSync(input)) throw new UsageError(`${input}: no such file`);
  if (statSync(input).isDirectory()) throw new UsageError(`${input}: is a directory, expected a file`);
}
