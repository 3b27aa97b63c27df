/**
 * hyparquet's AsyncBuffer over one open file handle: each `slice` is one positioned read into a
 * fresh ArrayBuffer (hyparquet keeps and views the slices it asks for, so they cannot be reused).
 * Unlike hyparquet's `asyncBufferFromFile`, which opens a read stream per slice, the file is opened
 * once and closed by the caller, so unsubscribing closes the file deterministically. Reads outside
 * the file are FormatErrors (a corrupt footer can point anywhere).
 */
import type { FileHandle } from 'node:fs/promises';
import type { AsyncBuffer } from 'hyparquet';
import { FormatError } from '../../src/internals.js';

export function fileAsyncBuffer(fh: FileHandle, byteLength: number, where: string): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? byteLength;
      if (!(start >= 0 && stop <= byteLength && start <= stop)) {
        throw new FormatError(`${where}: corrupt Parquet metadata asks for bytes [${start}, ${stop}) of a ${byteLength}-byte file`);
      }
      const out = new ArrayBuffer(stop - start);
      const view = new Uint8Array(out);
      let done = 0;
      while (done < view.length) {
        const { bytesRead } = await fh.read(view, done, view.length - done, start + done);
        if (bytesRead === 0) throw new FormatError(`${where}: file ended at byte ${start + done} while reading [${start}, ${stop})`);
        done += bytesRead;
      }
      return out;
    },
  };
}
