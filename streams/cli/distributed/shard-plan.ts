/**
 * How `approx --distributed` cuts its inputs into shards (issue 17). The inputs are stacked in the
 * order given (rows of the second file follow the last row of the first), and each shard is a
 * contiguous row range of one file, so a shard never opens two files:
 *
 * - at least one shard per file (a whole file is the natural unit), and `--shards N` in all
 *   (default: one per file), the extra shards going to the files with the most rows per shard;
 * - within a file the rows are split evenly, each cut moved to the nearest boundary of the file's
 *   own pieces when it has any (Parquet row groups, Arrow record batches), so a shard reads whole
 *   row groups and batches; a `.npy` is cut anywhere (its rows are fixed-width records);
 * - a shard is never empty.
 *
 * The plan depends only on the inputs' shapes and N, so one process running the same sharding
 * (`rangefinder sketch --rows` on each shard, `rangefinder merge` in this order) gets the same files.
 */
export interface ShardInput {
  /** Absolute path. */
  path: string;
  rows: number;
  /** Row numbers where the file's pieces start (row groups, record batches), ascending, 0 first; empty when it can be cut anywhere. */
  boundaries: readonly number[];
}

export interface ShardSpec {
  index: number;
  input: string;
  rows: [number, number];
  rowOffset: number;
}

export function planShards(inputs: readonly ShardInput[], shards: number): ShardSpec[] {
  const n = Math.max(shards, inputs.length);
  const live = inputs.filter((f) => f.rows > 0);
  // Shards per file: one each, then the rest by largest rows per shard (ties: the earlier file).
  const per = live.map(() => 1);
  const cap = live.map((f) => Math.max(1, pieceCount(f)));
  for (let extra = n - live.length; extra > 0; extra--) {
    let best = -1;
    for (let i = 0; i < live.length; i++) {
      if (per[i]! >= cap[i]!) continue;
      if (best < 0 || live[i]!.rows / per[i]! > live[best]!.rows / per[best]!) best = i;
    }
    if (best < 0) break;
    per[best]!++;
  }
  const out: ShardSpec[] = [];
  let offset = 0;
  for (const f of inputs) {
    const i = live.indexOf(f);
    if (i >= 0) {
      const cuts = cutRows(f, per[i]!);
      for (let j = 0; j + 1 < cuts.length; j++) out.push({ index: out.length, input: f.path, rows: [cuts[j]!, cuts[j + 1]!], rowOffset: offset + cuts[j]! });
    }
    offset += f.rows;
  }
  return out;
}

/** The most shards a file can make: its pieces, or its rows when it can be cut anywhere. */
function pieceCount(f: ShardInput): number {
  return f.boundaries.length > 0 ? f.boundaries.length : f.rows;
}

/** Cut points 0 = c0 < c1 < ... < ck = rows for k shards. */
function cutRows(f: ShardInput, k: number): number[] {
  const cuts = [0];
  for (let j = 1; j < k; j++) {
    const even = Math.round((j * f.rows) / k);
    let c = even;
    if (f.boundaries.length > 0) {
      c = f.boundaries.reduce((best, b) => (Math.abs(b - even) < Math.abs(best - even) ? b : best), f.boundaries[0]!);
    }
    if (c > cuts[cuts.length - 1]! && c < f.rows) cuts.push(c);
  }
  cuts.push(f.rows);
  return cuts;
}
