/**
 * Test helper (plain JS, runs under `node` without a build): a producer that writes an Arrow IPC
 * stream of a synthetic float32 matrix (FixedSizeList<Float32>[cols] record batches) to a TCP
 * consumer on 127.0.0.1 as fast as the socket lets it. Each batch is generated on the fly from a
 * seeded xorshift generator (never the whole matrix in memory) and written only after the previous
 * write drained, so its own memory is one batch plus the socket's buffer.
 *
 * It reports on stdout, one JSON line per batch: {"batch", "rows", "bytes", "stalls", "stallMs", "t", "wall"}
 * (bytes handed to the socket so far; `wall` is epoch ms, comparable across processes; a stall is a write that returned false and waited for 'drain'),
 * and {"done": true, ...} after the end-of-stream marker is flushed. It differs from
 * streams/tools/arrow-producer.ts (which needs tsx) only by these reports.
 *
 *   node test/helpers/arrow-producer.mjs --port P --rows R --cols C [--batch-rows B] [--seed S]
 *   node test/helpers/arrow-producer.mjs --stdout 1 --rows R --cols C [--batch-rows B] [--seed S] [--start-row R0]
 *
 * `--stdout 1` writes the stream to stdout instead (no reports: stdout is the stream). `--start-row R0`
 * sends rows R0.. only (the values rows R0.. have in the full stream; its batches start at R0): a
 * producer that resumes where a checkpoint stands.
 */
import { connect } from 'node:net';
import {
  AsyncByteQueue, Field, FixedSizeList, Float32, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct,
} from 'apache-arrow';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const rows = Number(args.rows), cols = Number(args.cols);
const batchRows = Number(args['batch-rows'] ?? 2048);
let x = (Number(args.seed ?? 1) * 2654435761) >>> 0 || 1;

const listType = new FixedSizeList(cols, new Field('item', new Float32(), false));
const fields = [new Field('row', listType, false)];
const schema = new Schema(fields);
const struct = new Struct(fields);

const toStdout = args.stdout !== undefined;
const startRow = Number(args['start-row'] ?? 0);
const socket = toStdout ? process.stdout : connect({ host: '127.0.0.1', port: Number(args.port) });
// A consumer that goes away (killed) ends the producer quietly.
socket.on('error', (e) => { if (!toStdout) process.stderr.write(`producer: ${e.message}\n`); process.exit(toStdout ? 0 : 2); });
if (!toStdout) await new Promise((resolve) => socket.once('connect', resolve));

const t0 = performance.now();
let bytes = 0, stalls = 0, stallMs = 0, batch = 0, sent = 0;
const send = async (chunk) => {
  bytes += chunk.byteLength;
  if (!socket.write(chunk)) {
    stalls++;
    const s = performance.now();
    await new Promise((resolve) => socket.once('drain', resolve));
    stallMs += performance.now() - s;
  }
};
const report = (extra) => toStdout || process.stdout.write(`${JSON.stringify({
  batch, rows: sent, bytes, stalls, stallMs: Math.round(stallMs), t: Math.round(performance.now() - t0),
  wall: performance.timeOrigin + performance.now(), ...extra,
})}\n`);

// Arrow's writer accepts any AsyncByteQueue as its sink (as streams/sinks/ipc-byte-sink.ts does): this
// one collects the bytes of one batch, which are sent (waiting for 'drain') before the next is made.
class Pending extends AsyncByteQueue {
  chunks = [];
  write(value) { if (value.byteLength > 0) this.chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)); }
}
const sink = new Pending();
const writer = new RecordBatchStreamWriter();
writer.reset(sink, schema);
const drain = async () => { for (const chunk of sink.chunks.splice(0)) await send(chunk); };
for (let i = 0; i < startRow * cols; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; }
for (let r0 = startRow; r0 < rows; r0 += batchRows) {
  const b = Math.min(batchRows, rows - r0);
  const data = new Float32Array(b * cols); // fresh per batch: the socket may still hold the previous one
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    data[i] = x / 4294967296 - 0.5;
  }
  const child = makeData({ type: new Float32(), length: b * cols, data, nullCount: 0 });
  const list = makeData({ type: listType, length: b, child, nullCount: 0 });
  writer.write(new RecordBatch(schema, makeData({ type: struct, length: b, children: [list], nullCount: 0 })));
  await drain();
  batch++; sent += b;
  report({});
}
writer.finish();
await drain();
await new Promise((resolve) => socket.end(resolve));
report({ done: true });
