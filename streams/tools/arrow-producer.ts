/**
 * A producer of Arrow IPC streams for tests, demos and benchmarks: a synthetic matrix (fromSynthetic)
 * as FixedSizeList<Float32|Float64> record batches, written to stdout, to a TCP port it connects to,
 * or to the first consumer that connects to a port it listens on. It respects backpressure (waits
 * for 'drain'), and can simulate a producer that dies mid-stream (`dropAfter` batches, no
 * end-of-stream marker).
 *
 *   node --import tsx streams/tools/arrow-producer.ts --rows 10000 --cols 256 [--batch-rows 1024]
 *        [--seed 1] [--rank 10] [--noise 1e-3] [--dtype float32|float64]
 *        [--connect 127.0.0.1:9000 | --listen 9000 | (stdout)] [--drop-after N]
 */
import { connect, createServer, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { RecordBatchStreamWriter } from 'apache-arrow';
import { syntheticDefaults, type SyntheticSpec } from '../sources/from-synthetic.js';
import { syntheticRows } from '../sources/synthetic-rows.js';
import { IpcByteSink } from '../sinks/ipc-byte-sink.js';
import { matrixBatch } from '../sinks/matrix-batch.js';

export interface ProducerOptions extends SyntheticSpec {
  batchRows?: number;
  /** Stop after this many batches without the end-of-stream marker and destroy the output. */
  dropAfter?: number;
}

/** Writes the stream to `out`; resolves when the last byte is flushed (or after the drop). */
export async function produceArrowStream(out: Writable, opts: ProducerOptions): Promise<void> {
  const dtype = opts.dtype ?? 'float32';
  const params = syntheticDefaults(opts);
  const gen = syntheticRows(params);
  const builder = matrixBatch({ layout: 'fixed-size-list', cols: opts.cols, dtype });
  const pending: Uint8Array[] = [];
  const sink = new IpcByteSink((bytes) => pending.push(bytes));
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink as never, builder.schema);
  const flush = async (): Promise<void> => {
    for (const chunk of pending.splice(0)) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
  };
  const b = Math.max(1, opts.batchRows ?? 1024);
  let batches = 0;
  for (let r0 = 0; r0 < params.rows; r0 += b) {
    if (opts.dropAfter !== undefined && batches >= opts.dropAfter) {
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      out.destroy();
      return;
    }
    const rows = Math.min(b, params.rows - r0);
    // A fresh buffer per batch: the socket may still hold the previous one.
    const data = dtype === 'float32' ? new Float32Array(rows * opts.cols) : new Float64Array(rows * opts.cols);
    gen.fill(r0, rows, data);
    writer.write(builder.batch(r0, rows, data));
    batches++;
    await flush();
  }
  writer.finish();
  await flush();
  await new Promise<void>((resolve) => out.end(resolve));
}

function parseArgs(argv: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) args[a.slice(2)] = argv[i + 1] ?? '';
    if (a.startsWith('--')) i++;
  }
  return args;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const opts: ProducerOptions = {
    rows: Number(a.rows ?? 1000), cols: Number(a.cols ?? 64),
    batchRows: Number(a['batch-rows'] ?? 1024), seed: Number(a.seed ?? 0),
    rank: Number(a.rank ?? 10), noise: Number(a.noise ?? 1e-3),
    dtype: (a.dtype as 'float32' | 'float64' | undefined) ?? 'float32',
    ...(a['drop-after'] !== undefined ? { dropAfter: Number(a['drop-after']) } : {}),
  };
  if (a.connect !== undefined) {
    const [host, port] = a.connect.includes(':') ? a.connect.split(':') : ['127.0.0.1', a.connect];
    const socket: Socket = connect({ host: host!, port: Number(port) });
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    await produceArrowStream(socket, opts);
  } else if (a.listen !== undefined) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: Number(a.listen) }, resolve));
    process.stderr.write(`listening on 127.0.0.1:${(server.address() as { port: number }).port}\n`);
    const socket = await new Promise<Socket>((resolve) => server.once('connection', resolve));
    server.close();
    await produceArrowStream(socket, opts);
  } else {
    await produceArrowStream(process.stdout, opts);
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  main().catch((e: unknown) => { process.stderr.write(`arrow-producer: ${(e as Error).message}\n`); process.exit(1); });
}
