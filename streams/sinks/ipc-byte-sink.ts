/**
 * A byte sink for Arrow's IPC writers that hands every chunk to a callback synchronously, instead of
 * queueing it in memory the way Arrow's default AsyncByteQueue does. With `fs.writeSync` as the
 * callback, `writer.write(batch)` returns after the batch is on disk, which is what lets the spill
 * and the factor writers be synchronous and bounded in memory.
 *
 * Arrow's writer accepts any `AsyncByteQueue` instance as its sink (`writer.reset(sink, schema)`),
 * so subclassing it is the supported way in; we only override `write`.
 */
import { AsyncByteQueue } from 'apache-arrow';

export class IpcByteSink extends AsyncByteQueue<Uint8Array> {
  readonly #onBytes: (bytes: Uint8Array) => void;
  bytesWritten = 0;
  constructor(onBytes: (bytes: Uint8Array) => void) {
    super();
    this.#onBytes = onBytes;
  }
  override write(value: ArrayBufferView | ArrayBuffer | Uint8Array | string): void {
    const bytes = typeof value === 'string' ? Buffer.from(value)
      : value instanceof Uint8Array ? value
        : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : new Uint8Array(value);
    if (bytes.byteLength === 0) return;
    this.bytesWritten += bytes.byteLength;
    this.#onBytes(bytes);
  }
}
