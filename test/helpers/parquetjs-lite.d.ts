/** Minimal types for parquetjs-lite (a dev dependency used only in tests, as a writer and a third reader). */
declare module 'parquetjs-lite' {
  interface Cursor { next(): Promise<Record<string, unknown> | null>; }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    getCursor(columns?: string[][]): Cursor;
    getRowCount(): number;
    close(): Promise<void>;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, { type: string; optional?: boolean; compression?: string; encoding?: string }>);
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: Record<string, unknown>): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setRowGroupSize(n: number): void;
    close(): Promise<void>;
  }
  const parquet: { ParquetReader: typeof ParquetReader; ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter };
  export default parquet;
}
