/**
 * The CLI's input: a command-line spec (or `--listen`, or the demo) turned into a MeasuredSource.
 *
 * Checks that a file exists before any source touches it (a missing file is bad input, exit 2, not
 * an internal error), then asks `openSource` (streams/sources/open-source.ts).
 *
 * WORKAROUND (marked, remove when open-source.ts lands): `openSource` is still a stub that throws
 * 'not implemented yet'; until then the same dispatch is done here on the committed `from*` sources.
 */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { fromArrowFile } from '../sources/from-arrow-file.js';
import { fromArrowStream } from '../sources/from-arrow-stream.js';
import { fromNpy } from '../sources/from-npy.js';
import { fromParquet } from '../sources/from-parquet.js';
import { fromTcp } from '../sources/from-tcp.js';
import { listenTcp } from '../sources/listen-tcp.js';
import { openSource } from '../sources/open-source.js';
import type { MeasuredSource, SourceOptions } from '../sources/source-options.js';
import { parseHostPort } from './approx-args.js';
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
    const src = await listenTcp(spec.listen, opts);
    spec.onListening?.(src.host, src.port);
    return src;
  }
  const input = spec.input!;
  checkInputFile(input);
  try {
    return await openSource(input, opts);
  } catch (e) {
    if (!(e instanceof Error && /not implemented/.test(e.message))) throw e;
  }
  // ---- WORKAROUND until openSource is implemented (see the file comment) ----
  if (input === '-' || input === 'stdin') return fromArrowStream('stdin', { ...opts, where: 'stdin' });
  if (input.startsWith('tcp://')) return fromTcp(parseHostPort(input.slice('tcp://'.length), '<input>'), opts);
  if (input.startsWith('listen://')) return listenTcp(parseHostPort(input.slice('listen://'.length), '<input>'), opts);
  const ext = extname(input).toLowerCase();
  if (ext === '.npy') return fromNpy(input, opts);
  if (ext === '.arrows') return fromArrowStream(input, opts);
  if (ext === '.parquet' || ext === '.pq') return fromParquet(input, opts);
  return fromArrowFile(input, opts);
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
