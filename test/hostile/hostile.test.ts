/**
 * Issue 15, the held-out style suite: malformed and hostile inputs across .npy, Arrow IPC files and
 * streams, Parquet, stdin, TCP (connect and --listen), FIFOs and the options. Each case runs the CLI
 * as a child process (bounded concurrency, a timeout, a private TMPDIR) and must:
 * - exit with code 2 (not 0, not 1, not a signal, not a timeout);
 * - print one line on stderr, `rangefinder: ...`, that matches the case's expectation (the place
 *   and what was expected), with no stack trace and no JavaScript error text (informational
 *   `rangefinder: listening on ...` lines of --listen are set aside);
 * - leave nothing under the final output names (every case writes --out into its own directory,
 *   where it makes sense), no temporary file in that directory and nothing in its TMPDIR (spill);
 * - stay under the memory budget + 100 MB of peak RSS.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli-harness.js';
import {
  arrowFile, arrowStream, batchFirst, duplicateNamesArrow, f64Bytes, fslBatch, goodNpy, junk, messages, noBatchArrow, noRowGroupParquet,
  npyBytes, parquetBy, parquetBytes, raggedArrow, schemaOnly, streamWithBody, streamWithMetadataLength, textColumnArrow, values, wideBatchArrow,
  COLS, ROWS,
} from './fixtures.js';
import { limiter, runChild, type ChildRun } from './run-child.js';

const BUDGET = 64 * 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'rf-hostile-'));
const fx = (name: string): string => join(root, 'fixtures', name);

type Peer = (s: Socket) => void;

interface Case {
  name: string;
  /** Arguments; `OUT` is replaced by the case's output prefix, `PORT` by its peer's port. */
  args: string[];
  expect: RegExp;
  stdin?: Buffer | 'hold';
  /** A TCP server the child connects to (tcp://127.0.0.1:PORT). */
  peer?: Peer;
  /** A producer connected to the child's --listen port. */
  producer?: Peer;
  /** Files the case writes into its output directory first (they must stay as they are). */
  before?: (outDir: string) => void;
}

const send = (bytes: Buffer, end = true): Peer => (s) => { s.on('error', () => undefined); if (end) s.end(bytes); else s.write(bytes); };
const silent: Peer = (s) => { s.on('error', () => undefined); };

const npyHead = (shape: string, descr = '<f8', fortran = 'False'): string => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
const R = `${ROWS}`, C = `${COLS}`;

function fixtureFiles(): [string, Buffer][] {
  const d6 = f64Bytes(values());
  const nan = values(); nan[3 * COLS + 2] = NaN;
  const inf = values(); inf[7 * COLS + 1] = -Infinity;
  const stream = arrowStream();
  const file = arrowFile();
  const pq = parquetBytes();
  const files: [string, Buffer][] = [
    ['bad-magic.npy', Buffer.from('hello, this is not numpy at all')],
    ['short-header.npy', Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x40])],
    ['header-overrun.npy', npyBytes(npyHead(`(${R}, ${C})`), d6, [1, 0], 60_000)],
    ['version-4.npy', npyBytes(npyHead(`(${R}, ${C})`), d6, [4, 0])],
    ['version-1-1.npy', npyBytes(npyHead(`(${R}, ${C})`), d6, [1, 1])],
    ['huge-shape.npy', npyBytes(npyHead(`(${'9'.repeat(300)}, 3)`), d6)],
    ['negative-dim.npy', npyBytes(npyHead(`(-${R}, ${C})`), d6)],
    ['three-d.npy', npyBytes(npyHead(`(2, ${R}, 3)`), d6)],
    ['zero-d.npy', npyBytes(npyHead('()'), d6)],
    ['complex.npy', npyBytes(npyHead(`(${R}, 3)`, '<c16'), d6)],
    ['object.npy', npyBytes(npyHead(`(${R}, ${C})`, '|O'), d6)],
    ['structured.npy', npyBytes(`{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (${R},), }`, d6)],
    ['truncated-data.npy', goodNpy().subarray(0, goodNpy().length - 100)],
    ['missing-key.npy', npyBytes(`{'descr': '<f8', 'shape': (${R}, ${C}), }`, d6)],
    ['extra-key.npy', npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (${R}, ${C}), 'x': 1}`, d6)],
    ['fortran-1.npy', npyBytes(npyHead(`(${R}, ${C})`, '<f8', '1'), d6)],
    ['not-dict.npy', npyBytes("['descr', '<f8']", d6)],
    ['syntax.npy', npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (${R}, ${C}`, d6)],
    ['nan.npy', npyBytes(npyHead(`(${R}, ${C})`), f64Bytes(nan))],
    ['inf.npy', npyBytes(npyHead(`(${R}, ${C})`), f64Bytes(inf))],
    ['zero-rows.npy', npyBytes(npyHead(`(0, ${C})`), Buffer.alloc(0))],
    ['zero-cols.npy', npyBytes(npyHead(`(${R}, 0)`), Buffer.alloc(0))],
    ['long-header.npy', npyBytes(`${npyHead(`(${R}, ${C})`)}${' '.repeat(10_100)}`, d6, [2, 0])],
    ['empty.npy', Buffer.alloc(0)],
    ['truncated.arrow', file.subarray(0, file.length - 40)],
    ['garbled-footer.arrow', Buffer.concat([file.subarray(0, file.length - 200), junk(190), file.subarray(file.length - 10)])],
    ['no-batches.arrow', noBatchArrow()],
    ['text.arrow', textColumnArrow()],
    ['ragged.arrow', raggedArrow()],
    ['wide-batch.arrow', wideBatchArrow()],
    ['dup-names.arrow', duplicateNamesArrow()],
    ['magic-only.arrow', Buffer.concat([Buffer.from('ARROW1\0\0'), junk(64)])],
    ['random.arrows', junk(300)],
    ['no-eos.arrows', stream.subarray(0, stream.length - 8)],
    ['two-streams.arrows', Buffer.concat([stream, stream])],
    ['schema-change.arrows', Buffer.concat([stream.subarray(0, stream.length - 8), arrowStream([fslBatch(5, COLS + 3)])])],
    ['huge-metadata.arrows', streamWithMetadataLength(0x7fffffff)],
    ['huge-body.arrows', streamWithBody(2 ** 31)],
    ['eos-only.arrows', Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
    ['batch-first.arrows', batchFirst()],
    ['bad-magic.parquet', Buffer.from('this is not a parquet file, it only ends like one PAR1')],
    ['truncated.parquet', pq.subarray(0, pq.length - 30)],
    ['garbled.parquet', Buffer.concat([pq.subarray(0, pq.length - 300), junk(292, 7), pq.subarray(pq.length - 8)])],
    ['no-row-groups.parquet', noRowGroupParquet()],
    ['labels.parquet', parquetBytes([{ name: 'label', type: 'STRING', data: Array.from({ length: ROWS }, (_, i) => `x${i}`) }])],
    ['mixed-types.parquet', parquetBy((schema) => { schema[1].type = 'FLOAT'; schema[2].type = 'FLOAT'; })],
    ['row-count.parquet', parquetBy((_, w) => { w.num_rows = 1000n; }, false)],
    ['nulls.parquet', Buffer.from(parquetBytes([{ name: 'z', type: 'DOUBLE', data: Array.from({ length: ROWS }, (_, i) => (i === 5 ? null : i)) }]))],
    ['data.csv', Buffer.from('a,b,c\n1,2,3\n4,5,6\n')],
    ['plain.txt', Buffer.from('hello')],
  ];
  return files;
}

function cases(): Case[] {
  const stream = arrowStream();
  const approx = (input: string, ...more: string[]): string[] => ['approx', input, '--rank', '2', '--out', 'OUT', ...more];
  const f = fx;
  return [
    // .npy
    { name: 'npy: not numpy', args: approx(f('bad-magic.npy')), expect: /bad-magic\.npy is not a \.npy file: expected the magic string/ },
    { name: 'npy: header cut short', args: approx(f('short-header.npy')), expect: /short-header\.npy is not a \.npy file.*9 bytes|header truncated/ },
    { name: 'npy: header length past the end', args: approx(f('header-overrun.npy')), expect: /header truncated: its length field says 60000 bytes/ },
    { name: 'npy: format version 4', args: approx(f('version-4.npy')), expect: /format version 4\.0 is not supported \(expected 1\.0, 2\.0 or 3\.0/ },
    { name: 'npy: version 1.1', args: approx(f('version-1-1.npy')), expect: /format version 1\.1 is not supported/ },
    { name: 'npy: a 1e300-row shape', args: approx(f('huge-shape.npy')), expect: /shape \(9{300}, 3,?\) of float64 needs \d+ bytes, more than any file holds.*header is corrupt/ },
    { name: 'npy: negative dimension', args: approx(f('negative-dim.npy')), expect: /shape \(-40, 6\) has a negative dimension/ },
    { name: 'npy: 3-D', args: approx(f('three-d.npy')), expect: /has 3 dimensions.*expected a matrix \(2\) or a vector \(1\)/ },
    { name: 'npy: 0-D', args: approx(f('zero-d.npy')), expect: /has 0 dimensions/ },
    { name: 'npy: complex dtype', args: approx(f('complex.npy')), expect: /dtype '<c16' is not supported \(expected a float or integer type/ },
    { name: 'npy: object dtype', args: approx(f('object.npy')), expect: /dtype '\|O' is not supported/ },
    { name: 'npy: structured dtype', args: approx(f('structured.npy')), expect: /structured or non-string descr/ },
    { name: 'npy: data cut short', args: approx(f('truncated-data.npy')), expect: /truncated-data\.npy is truncated: its header promises 40 x 6 float64.*the data ends in row/ },
    { name: 'npy: missing key', args: approx(f('missing-key.npy')), expect: /expected exactly the keys 'descr', 'fortran_order' and 'shape', found 'descr', 'shape'/ },
    { name: 'npy: extra key', args: approx(f('extra-key.npy')), expect: /expected exactly the keys.*found .*'x'/ },
    { name: 'npy: fortran_order 1', args: approx(f('fortran-1.npy')), expect: /'fortran_order' must be True or False, found 1/ },
    { name: 'npy: header not a dict', args: approx(f('not-dict.npy')), expect: /expected a Python dict, found \['descr', '<f8'\]/ },
    { name: 'npy: header syntax error', args: approx(f('syntax.npy')), expect: /malformed \.npy header: .*expected a Python dict literal/ },
    { name: 'npy: NaN', args: approx(f('nan.npy')), expect: /row 3: value at column 2 is NaN \(or null\) \(in .*nan\.npy\)/ },
    { name: 'npy: -Infinity', args: approx(f('inf.npy')), expect: /row 7: value at column 1 is -Infinity/ },
    { name: 'npy: 0 rows', args: approx(f('zero-rows.npy')), expect: /zero-rows\.npy has no rows: expected at least one row/ },
    { name: 'npy: 0 columns', args: approx(f('zero-cols.npy')), expect: /zero-cols\.npy has no columns/ },
    { name: 'npy: header over numpy\'s limit', args: approx(f('long-header.npy')), expect: /longer than numpy's limit of 10000/ },
    { name: 'npy: empty file', args: approx(f('empty.npy')), expect: /empty\.npy is empty \(0 bytes\)/ },
    // Arrow IPC files
    { name: 'arrow file: footer cut off', args: approx(f('truncated.arrow')), expect: /truncated\.arrow is truncated or corrupt: an Arrow IPC file ends with "ARROW1"/ },
    { name: 'arrow file: garbled footer', args: approx(f('garbled-footer.arrow')), expect: /garbled-footer\.arrow.*(corrupt|cannot read)/ },
    { name: 'arrow file: no record batch', args: approx(f('no-batches.arrow')), expect: /no-batches\.arrow has no rows/ },
    { name: 'arrow file: text column', args: approx(f('text.arrow')), expect: /column "name" has type Utf8, expected a numeric type \(exclude it with --exclude name\)/ },
    { name: 'arrow file: ragged list row', args: approx(f('ragged.arrow')), expect: /row 3 has 5 values, expected 6/ },
    { name: 'arrow file: batch wider than the schema', args: approx(f('wide-batch.arrow')), expect: /record batch at row 10 holds 300 values in column "x" for 10 rows, expected 200/ },
    { name: 'arrow file: --columns on a duplicated name', args: approx(f('dup-names.arrow'), '--columns', 'a,b'), expect: /column name "a" appears 2 times.*\(columns 0, 2\)/ },
    { name: 'arrow file: magic and junk', args: approx(f('magic-only.arrow')), expect: /magic-only\.arrow is truncated or corrupt/ },
    // Arrow IPC stream files
    { name: 'arrow stream file: random bytes', args: approx(f('random.arrows')), expect: /random\.arrows.*(not an Arrow IPC stream|cannot tell)/ },
    { name: 'arrow stream file: no end-of-stream marker', args: approx(f('no-eos.arrows')), expect: /no-eos\.arrows ended after 20 rows .*without the Arrow end-of-stream marker/ },
    { name: 'arrow stream file: a second stream after the end', args: approx(f('two-streams.arrows')), expect: /more bytes follow the end-of-stream marker \(at byte \d+\)/ },
    { name: 'arrow stream file: schema changes', args: approx(f('schema-change.arrows')), expect: /schema changes at row 20: column 0 is "x" FixedSizeList\[9\]<Float32>, expected "x" FixedSizeList\[6\]<Float32>/ },
    { name: 'arrow stream file: 2^31 - 1 bytes of metadata', args: approx(f('huge-metadata.arrows')), expect: /declares 2147483647 bytes of metadata, more than the cap of \d+ bytes/ },
    { name: 'arrow stream file: a 2 GiB body', args: approx(f('huge-body.arrows')), expect: /declares a body of 2147483648 bytes, more than the cap of \d+ bytes \(raise it with --max-message/ },
    { name: 'arrow stream file: end marker only', args: approx(f('eos-only.arrows')), expect: /eos-only\.arrows has no schema/ },
    { name: 'arrow stream file: batch before the schema', args: approx(f('batch-first.arrows')), expect: /first message \(at byte 0\) is a RecordBatch message, expected the schema/ },
    // Parquet
    { name: 'parquet: not parquet', args: approx(f('bad-magic.parquet')), expect: /bad-magic\.parquet is not a Parquet file: expected the magic bytes "PAR1" at byte 0/ },
    { name: 'parquet: tail cut off', args: approx(f('truncated.parquet')), expect: /truncated\.parquet is truncated or corrupt/ },
    { name: 'parquet: garbled footer', args: approx(f('garbled.parquet')), expect: /garbled\.parquet: cannot read/ },
    { name: 'parquet: no row group', args: approx(f('no-row-groups.parquet')), expect: /no-row-groups\.parquet has no rows/ },
    { name: 'parquet: text column', args: approx(f('labels.parquet')), expect: /column "label" has type BYTE_ARRAY \((STRING|UTF8)\), expected a numeric type \(exclude it with --exclude label\)/ },
    { name: 'parquet: row groups disagree on a type', args: approx(f('mixed-types.parquet')), expect: /row group 1 stores column "a" as FLOAT, expected DOUBLE/ },
    { name: 'parquet: footer row count disagrees', args: approx(f('row-count.parquet')), expect: /the footer says 1000 rows, its 1 row groups hold 3/ },
    { name: 'parquet: a null', args: approx(f('nulls.parquet')), expect: /row 5: value at column 0 \("z"\) is NaN \(or null\)/ },
    // other files
    { name: 'file: csv', args: approx(f('data.csv')), expect: /data\.csv: cannot tell its format: it starts with bytes 61 2c 62 2c/ },
    { name: 'file: unknown extension, text', args: approx(f('plain.txt')), expect: /plain\.txt: cannot tell its format/ },
    { name: 'file: a directory', args: approx(f('a-directory.npy')), expect: /a-directory\.npy: is a directory, expected a file/ },
    { name: 'file: missing', args: approx(f('missing.npy')), expect: /missing\.npy: no such file/ },
    // stdin
    { name: 'stdin: empty', args: approx('-'), stdin: Buffer.alloc(0), expect: /stdin is empty: expected an Arrow IPC stream/ },
    { name: 'stdin: random bytes', args: approx('-'), stdin: junk(500, 3), expect: /stdin: not an Arrow IPC stream: expected a message header .* at byte 0, found/ },
    { name: 'stdin: a .npy file', args: approx('-'), stdin: goodNpy(), expect: /stdin holds a \.npy file, not an Arrow IPC stream/ },
    { name: 'stdin: an Arrow IPC file', args: approx('-'), stdin: arrowFile(), expect: /stdin holds an Arrow IPC file, not an Arrow IPC stream/ },
    { name: 'stdin: cut mid-message', args: approx('-'), stdin: stream.subarray(0, messages(stream)[2][0] + 30), expect: /stdin ended after 10 rows .*cut off mid-stream/ },
    { name: 'stdin: a second stream', args: approx('-'), stdin: Buffer.concat([stream, stream]), expect: /more bytes follow the end-of-stream marker/ },
    { name: 'stdin: --passes 2', args: approx('-', '--passes', '2'), stdin: stream, expect: /stdin is a one-shot source and cannot be read 2 times/ },
    { name: 'stdin: by columns', args: approx('-', '--orientation', 'columns'), stdin: stream, expect: /orientation 'columns' needs a replayable source/ },
    { name: 'stdin: nothing sent (idle timeout)', args: approx('-', '--idle-timeout', '1s'), stdin: 'hold', expect: /stdin sent no data for 1 s after 0 rows \(0 bytes\): the producer stalled; waited 1 s/ },
    // TCP: connect
    { name: 'tcp: refused', args: approx('tcp://127.0.0.1:1'), expect: /cannot connect to tcp:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/ },
    { name: 'tcp: silent peer', args: approx('tcp://127.0.0.1:PORT', '--idle-timeout', '1s'), peer: silent, expect: /tcp:\/\/127\.0\.0\.1:\d+ sent no data for 1 s after 0 rows/ },
    { name: 'tcp: schema then stall', args: approx('tcp://127.0.0.1:PORT', '--idle-timeout', '1s'), peer: send(schemaOnly(), false), expect: /sent no data for 1 s after 0 rows \(\d+ bytes\)/ },
    { name: 'tcp: a 2 GiB body', args: approx('tcp://127.0.0.1:PORT'), peer: send(streamWithBody(2 ** 31), false), expect: /declares a body of 2147483648 bytes, more than the cap/ },
    { name: 'tcp: 2^31 - 1 bytes of metadata', args: approx('tcp://127.0.0.1:PORT'), peer: send(streamWithMetadataLength(0x7fffffff), false), expect: /declares 2147483647 bytes of metadata/ },
    { name: 'tcp: random bytes', args: approx('tcp://127.0.0.1:PORT'), peer: send(junk(4000, 5)), expect: /tcp:\/\/127\.0\.0\.1:\d+: not an Arrow IPC stream/ },
    { name: 'tcp: dropped mid-stream', args: approx('tcp://127.0.0.1:PORT'), peer: send(stream.subarray(0, messages(stream)[2][0] + 40)), expect: /ended after 10 rows .*cut off mid-stream/ },
    { name: 'tcp: a second stream', args: approx('tcp://127.0.0.1:PORT'), peer: send(Buffer.concat([stream, stream])), expect: /more bytes follow the end-of-stream marker/ },
    { name: 'tcp: port out of range', args: approx('tcp://127.0.0.1:70000'), expect: /port 70000 is out of range/ },
    // TCP: listen
    { name: 'listen: no producer (connect timeout)', args: ['approx', '--listen', '127.0.0.1:0', '--rank', '2', '--connect-timeout', '1s', '--out', 'OUT'], expect: /no producer connected within 1 s/ },
    { name: 'listen: random producer', args: ['approx', '--listen', '127.0.0.1:0', '--rank', '2', '--out', 'OUT'], producer: send(junk(2000, 9)), expect: /\(listening\): not an Arrow IPC stream/ },
    { name: 'listen: a 2 GiB body', args: ['approx', '--listen', '127.0.0.1:0', '--rank', '2', '--out', 'OUT'], producer: send(streamWithBody(2 ** 31), false), expect: /declares a body of 2147483648 bytes/ },
    { name: 'listen: producer stalls', args: ['approx', '--listen', '127.0.0.1:0', '--rank', '2', '--idle-timeout', '1s', '--out', 'OUT'], producer: send(schemaOnly(), false), expect: /sent no data for 1 s/ },
    { name: 'listen: bad address', args: ['approx', '--listen', '127.0.0.1:99999', '--rank', '2'], expect: /--listen expects HOST:PORT/ },
    // options
    { name: 'option: --rank -3', args: approx(f('nan.npy'), '--rank', '-3'), expect: /--rank expects a positive integer, found '-3'/ },
    { name: 'option: --seed -1', args: approx(f('nan.npy'), '--seed', '-1'), expect: /--seed expects an integer from 0 to 4294967295, found '-1'/ },
    { name: 'option: --memory-budget -5MiB', args: approx(f('nan.npy'), '--memory-budget', '-5MiB'), expect: /--memory-budget expects a byte size .* found '-5MiB'/ },
    { name: 'option: --idle-timeout soon', args: approx(f('nan.npy'), '--idle-timeout', 'soon'), expect: /--idle-timeout expects a duration such as 30s/ },
    { name: 'option: --max-message 0', args: approx(f('nan.npy'), '--max-message', '0'), expect: /--max-message must be a positive byte size/ },
    { name: 'option: --out in a missing directory', args: ['approx', f('nan.npy'), '--rank', '2', '--out', join(root, 'nowhere', 'x')], expect: /--out .*nowhere\/x: the directory .*nowhere does not exist/ },
    { name: 'option: --out under a file', args: ['approx', f('nan.npy'), '--rank', '2', '--out', join(f('not-a-dir'), 'x')], expect: /not-a-dir is not a directory/ },
    { name: 'option: --out DIR/ that does not exist', args: ['approx', f('nan.npy'), '--rank', '2', '--out', `${join(root, 'nodir')}/`], expect: /the directory .*nodir does not exist/ },
    { name: 'option: --format without --out', args: ['approx', f('nan.npy'), '--rank', '2', '--format', 'arrow'], expect: /--format needs --out PREFIX/ },
    { name: 'option: a rank above the shape', args: ['approx', goodNpyPath(), '--rank', '50', '--out', 'OUT'], expect: /--rank 50 exceeds min\(rows, cols\) = 6/ },
  ];
}

const goodNpyPath = (): string => fx('good.npy');

function hasMkfifo(): boolean {
  try { execFileSync('mkfifo', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

const run = limiter(3);
const servers: Server[] = [];

beforeAll(async () => {
  await ensureBuilt();
  mkdirSync(join(root, 'fixtures'));
  writeFileSync(fx('good.npy'), goodNpy());
  for (const [name, bytes] of fixtureFiles()) writeFileSync(fx(name), bytes);
  mkdirSync(fx('a-directory.npy'), { recursive: true });
  writeFileSync(fx('not-a-dir'), 'x');
});
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(root, { recursive: true, force: true });
});

function peerServer(peer: Peer): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer(peer);
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

async function runCase(c: Case, index: number): Promise<{ run: ChildRun; outDir: string; tmp: string; prefix: string }> {
  const dir = join(root, `case-${index}`);
  const outDir = join(dir, 'out'), tmp = join(dir, 'tmp');
  mkdirSync(outDir, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  c.before?.(outDir);
  const prefix = join(outDir, 'f');
  const port = c.peer !== undefined ? await peerServer(c.peer) : 0;
  const args = c.args.map((a) => a.replace('OUT', prefix).replace('PORT', String(port)));
  const r = await run(() => runChild(args, {
    tmpdir: tmp,
    ...(c.stdin !== undefined ? { stdin: c.stdin } : {}),
    timeoutMs: 20_000,
    onStderrLine: (line) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
      if (m !== null && c.producer !== undefined) {
        import('node:net').then(({ connect }) => { const s = connect(Number(m[1]), '127.0.0.1', () => c.producer!(s)); s.on('error', () => undefined); }, () => undefined);
      }
    },
  }));
  return { run: r, outDir, tmp, prefix };
}

/** The contract of every hostile case (see the file comment). */
function expectRefusal(c: Case, r: ChildRun, outDir: string, tmp: string): void {
  expect(r.timedOut, `${c.name}: timed out`).toBe(false);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0 && !/^rangefinder: listening on /.test(l));
  expect(lines, `${c.name}: stderr ${JSON.stringify(r.stderr)}`).toHaveLength(1);
  const line = lines[0];
  expect(r.code, `${c.name}: ${line}`).toBe(2);
  expect(line.startsWith('rangefinder: ') && !line.includes('internal error')).toBe(true);
  expect(line, c.name).toMatch(c.expect);
  expect(line).not.toMatch(/Cannot read propert|undefined|TypeError|RangeError|\bat .*\.js:\d+/);
  expect(readdirSync(outDir), `${c.name}: files left in the output directory`).toEqual([]);
  expect(readdirSync(tmp), `${c.name}: files left in TMPDIR`).toEqual([]);
  expect(r.peakRss, `${c.name}: peak RSS ${Math.round(r.peakRss / 2 ** 20)} MiB`).toBeLessThan(BUDGET + 100 * 2 ** 20);
}

const ALL = cases();

describe('hostile inputs: exit 2, one line naming the place, nothing left behind, bounded memory', () => {
  it('has at least 60 cases across .npy, Arrow file and stream, Parquet, stdin, TCP connect and listen, options', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(60);
    for (const kind of ['npy:', 'arrow file:', 'arrow stream file:', 'parquet:', 'stdin:', 'tcp:', 'listen:', 'option:']) {
      expect(ALL.filter((c) => c.name.startsWith(kind)).length, kind).toBeGreaterThanOrEqual(kind === 'listen:' ? 4 : 5);
    }
  });

  describe.concurrent('each case', () => {
    ALL.forEach((c, i) => {
      it(c.name, async () => {
        const { run: r, outDir, tmp } = await runCase(c, i);
        expectRefusal(c, r, outDir, tmp);
      }, 120_000);
    });
  });
});

describe.skipIf(!hasMkfifo())('FIFOs', () => {
  it('a FIFO without a writer: exit 2 after the connect timeout; with a .npy written into it: refused naming it', async () => {
    const fifo = join(root, 'pipe.npy');
    execFileSync('mkfifo', [fifo]);
    const dir = join(root, 'fifo'), tmp = join(dir, 'tmp'), out = join(dir, 'out');
    mkdirSync(tmp, { recursive: true }); mkdirSync(out, { recursive: true });
    const t0 = performance.now();
    const noWriter = await runChild(['approx', fifo, '--rank', '2', '--connect-timeout', '1s', '--out', join(out, 'f')], { tmpdir: tmp, timeoutMs: 15_000 });
    expectRefusal({ name: 'fifo without writer', args: [], expect: /pipe\.npy: no writer opened this FIFO within 1 s/ }, noWriter, out, tmp);
    expect(performance.now() - t0).toBeLessThan(6000);
    const child = runChild(['approx', fifo, '--rank', '2', '--out', join(out, 'f')], { tmpdir: tmp, timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 300));
    const { createWriteStream } = await import('node:fs');
    const w = createWriteStream(fifo);
    w.on('error', () => undefined);
    w.end(goodNpy());
    expectRefusal({ name: 'npy in a fifo', args: [], expect: /pipe\.npy holds a \.npy file, not an Arrow IPC stream/ }, await child, out, tmp);
  });
});
