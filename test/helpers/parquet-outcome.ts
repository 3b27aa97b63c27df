/**
 * Test helper for the parquet-testing sweeps: what rangefinder does with one Parquet file, checked
 * against parquet-wasm (Rust parquet crate compiled to WebAssembly) as an independent second reader.
 *
 * 1. Default options (every column): reads, or is refused with a RangefinderError naming the file.
 * 2. If the file has numeric columns: read exactly those (`columns`, nonFinite 'zero'), and compare
 *    every value with parquet-wasm reading the same columns (nulls and NaN compared as 0).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/node';
import parquetjs from 'parquetjs-lite';
import { lastValueFrom, map, toArray } from 'rxjs';
import { RangefinderError } from '../../src/errors.js';
import { parquetMetadata } from 'hyparquet';
import { parquetFields } from '../../streams/sources/parquet-layout.js';
import { fromParquet } from '../../streams/sources/from-parquet.js';

export interface ParquetOutcome {
  file: string;
  /** 'read' or the error class + message of the default read. */
  defaultRead: string;
  numericColumns: string[];
  /** 'verified R x C' | 'mismatch ...' | 'refused: ...' | 'no numeric columns' */
  numericRead: string;
  /** parquet-wasm on the numeric columns: 'read' or its error. */
  secondReader: string;
}

function errText(e: unknown): string {
  if (e instanceof RangefinderError) return `${e.name}: ${e.message}`;
  return `UNEXPECTED ${(e as Error)?.constructor?.name}: ${(e as Error)?.message ?? String(e)}`;
}

export async function parquetOutcome(path: string): Promise<ParquetOutcome> {
  const file = basename(path);
  let defaultRead = 'read';
  try {
    await lastValueFrom(fromParquet(path).open(), { defaultValue: null });
  } catch (e) { defaultRead = errText(e); }

  let numericColumns: string[] = [];
  try {
    const buf = readFileSync(path);
    const md = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    numericColumns = parquetFields(md).filter((f) => f.numeric).map((f) => f.name);
  } catch { /* unreadable footer: nothing to compare */ }
  if (numericColumns.length === 0) {
    return { file, defaultRead, numericColumns, numericRead: 'no numeric columns', secondReader: 'n/a' };
  }
  let ours: { rows: number; cols: number; data: Float64Array; dtype: string } | null = null;
  let numericRead = '';
  try {
    const src = fromParquet(path, { columns: numericColumns, nonFinite: 'zero', allowEmpty: true });
    const info = await src.info();
    const blocks = await lastValueFrom(src.open().pipe(
      map((b) => ({ rowStart: b.rowStart, rows: b.rows, data: Float64Array.from(b.data.subarray(0, b.rows * b.cols)) })),
      toArray(),
    ));
    const rows = blocks.reduce((s, b) => s + b.rows, 0);
    const data = new Float64Array(rows * info.cols);
    for (const b of blocks) data.set(b.data, b.rowStart * info.cols);
    ours = { rows, cols: info.cols, data, dtype: info.dtype };
  } catch (e) { numericRead = `refused: ${errText(e)}`; }

  let secondReader = 'read';
  let ref: { rows: number; get(i: number, j: number): number; types: string[] } | null = null;
  try {
    const t = tableFromIPC(readParquet(readFileSync(path), { columns: numericColumns }).intoIPCStream());
    const cols = numericColumns.map((c) => t.getChild(c)!);
    ref = {
      rows: t.numRows,
      types: cols.map((c) => String(c.type)),
      get: (i, j) => {
        const v = cols[j].get(i) as number | bigint | null;
        if (v === null || v === undefined) return 0;
        const x = Number(v);
        return Number.isFinite(x) ? x : 0;
      },
    };
  } catch (e) { secondReader = `error: ${(e as Error)?.message ?? String(e)}`; }

  if (ours !== null && (ref === null || ref.rows !== ours.rows)) {
    // parquet-wasm failed or disagrees on the row count: ask parquetjs-lite as a third reader.
    try {
      const reader = await parquetjs.ParquetReader.openFile(path);
      try {
        const cursor = reader.getCursor(numericColumns.map((c) => [c]));
        const rows: Record<string, unknown>[] = [];
        for (let r = await cursor.next(); r !== null && r !== undefined; r = await cursor.next()) rows.push(r as Record<string, unknown>);
        ref = {
          rows: rows.length, types: [],
          get: (i, j) => {
            const v = rows[i][numericColumns[j]] as number | bigint | null | undefined;
            if (v === null || v === undefined) return 0;
            const x = Number(v);
            return Number.isFinite(x) ? x : 0;
          },
        };
        secondReader += '; parquetjs-lite read';
      } finally { await reader.close(); }
    } catch (e) { secondReader += `; parquetjs-lite error: ${(e as Error)?.message ?? String(e)}`; }
  }
  if (ours !== null) {
    if (ref === null) numericRead = `read ${ours.rows} x ${ours.cols}, no other reader could read it`;
    else if (ref.rows !== ours.rows) numericRead = `mismatch: ${ours.rows} rows, other reader ${ref.rows}`;
    else {
      let bad = '';
      const f32 = ours.dtype === 'float32';
      outer: for (let i = 0; i < ours.rows; i++) {
        for (let j = 0; j < ours.cols; j++) {
          const want = f32 ? Math.fround(ref.get(i, j)) : ref.get(i, j);
          if (ours.data[i * ours.cols + j] !== want) { bad = `row ${i} column "${numericColumns[j]}": ${ours.data[i * ours.cols + j]} vs ${want}`; break outer; }
        }
      }
      numericRead = bad === '' ? `verified ${ours.rows} x ${ours.cols}` : `mismatch: ${bad}`;
    }
  }
  return { file, defaultRead, numericColumns, numericRead, secondReader };
}
