/** The `--help` text of each command (kept next to the parser so options and help stay in step). */

export const MAIN_HELP = `rangefinder: streaming low-rank matrix approximation under a memory budget

Usage:
  rangefinder approx <input> --rank R [options]   low-rank factors U, S, V of a matrix
  rangefinder approx --demo                        the demo on the embedded digits matrix
  rangefinder inspect <input>                      shape, layout, dtype, batches of an input
  rangefinder sketch <input> --save F.rfsk ...     one shard's sketch, saved with its range rows
  rangefinder merge A.rfsk B.rfsk ... --out P      U, S, V of the shards' whole matrix
  rangefinder compress MODEL --alpha A --out FILE  low-rank compression of a model's linear layers
  rangefinder worker redis://HOST:PORT             serve the shard jobs of approx --distributed

Run 'rangefinder help <command>' (or 'rangefinder <command> --help') for the options of a command,
'rangefinder -v' for the version.
Exit codes: 0 success, 2 bad usage or bad input, 1 internal error; 130, 143, 129 after SIGINT,
SIGTERM, SIGHUP (temporary files removed).
`;

export const APPROX_HELP = `Usage: rangefinder approx <input>... --rank R|auto [options]

<input>
  FILE                   .npy, Arrow IPC file or stream, Parquet: told by the file's first bytes
                         (the extension is a hint); a FIFO is read as an Arrow IPC stream
  FILE FILE ...          several files are one matrix, their rows stacked in the order given (the
                         same columns and dtype; by rows; not with --checkpoint)
  -                      an Arrow IPC stream on stdin (one pass only)
  tcp://HOST:PORT        connect to a producer of an Arrow IPC stream (one pass only)
  --listen HOST:PORT     accept one producer instead (HOST defaults to 127.0.0.1; :0 picks a port)
  synthetic:MxN[:rank=R,noise=X,decay=D,seed=S]   a deterministic synthetic matrix
  --demo                 the embedded matrix (data/sklearn_digits.npy), rank 10 by default

Options
  --rank R               target rank (required except with --demo)
  --rank auto            choose the rank after the pass: the smallest that meets the target below,
                         from a sketch sized for the largest rank the budget allows (rsvd: width up
                         to min(m, n, 512); --range-dim for more). One pass or --method exact
  --explained-variance F   the target of --rank auto: explain a fraction F of ||A||_F^2 (of the
                         centered A with --center: scikit-learn's PCA(n_components=F)). rsvd and
                         exact certify it (the JSON rankAuto says what was met); the three- and
                         two-sketch estimate it. Unreachable targets exit 2 with what is reachable
  --relative-error E     the other target: ||A - U S V^T||_F <= E ||A||_F (explained 1 - E^2)
  --passes P             pass budget: how many times the input may be read (default 1; > 1 needs
                         a file). Single-view sketches use one pass; FD a second one for U
  --memory-budget SIZE   bytes for the in-memory state: 64MiB (default), 1GB, 500k, 1048576.
                         Covers what the method holds: a sketch's arrays (maps, sums, workspace;
                         not U's rows, which go to a spill on disk), RSI's X, H, R, or for exact the
                         matrix and the SVD's copies, 8 (8 m n + 6 min(m, n)^2) bytes (9 m n if
                         wide). Not covered: Node itself (40-80 MiB), the input's blocks in flight
                         (about 2 x 8 MiB, plus the decode worker's), the spill on disk. A plan
                         that does not fit is refused
  --method M             auto (default) | three-sketch | two-sketch | rsvd | rsi | krylov | fd | exact
                         auto: rsvd for 1 pass (whole rows, by rows or by columns), the pass
                         planner (RSI) for more; rsvd: the single-pass Gram RSVD (A Omega and
                         A^T A Omega in one pass); three-sketch: the one for any linear update
  --test-matrix T        sparse-sign | gaussian (default: sparse-sign for one-pass sketches, gaussian for rsi/krylov)
  --size-rule R          flat (default) | natural: how sketch sizes follow from the budget
                         (flat suits slowly decaying spectra [TYUC19 §5.4])
  --range-dim K          range sketch size k, or rsvd's block width l (overrides the budget rule)
  --oversamples P        width rank + P instead of the budget rule (scikit-learn's n_oversamples):
                         the RSI / rsvd block width, the three- and two-sketch's k, FD's l
  --core-dim S           core sketch size s (three-sketch)
  --co-range-dim L       co-range size l (two-sketch), FD sketch rows, or RSI block width
  --seed N               seed of every test matrix (default 0)
  --orientation O        auto (default) | rows | columns: stream A by rows or by columns (a column
                         of A per streamed row; U, V are always for A). auto: by columns when A is
                         wide (rows < columns) and stored by columns (Fortran .npy, wide Parquet) or
                         small enough to transpose in one scan; by rows otherwise and for stdin/TCP
  --columns a,b,...      the matrix columns of a table, in order (default: every column)
  --exclude a,b,...      table columns to leave out (an id or a label column)
  --non-finite P         error (default) | skip | zero: rows with NaN, Inf or null values (skip:
                         the JSON lists the input row numbers dropped, nonFinite.skippedRows)
  --center               PCA: approximate A minus its column mean mu, A - 1 mu^T ~ U diag(S) V^T;
                         writes PREFIX.mean.npy (mu) with --out, and the JSON gets
                         explainedVariance (S^2 / (m - 1)), explainedVarianceRatio and totalVariance.
                         New rows X project as (X - mu) V (scikit-learn's PCA.transform)
  --out PREFIX           write PREFIX.U.npy, PREFIX.S.npy, PREFIX.V.npy (A ~ U diag(S) V^T, or
                         A - 1 mu^T with --center, plus PREFIX.mean.npy) and PREFIX.summary.json,
                         committed as one set (a reader never sees a mix);
                         PREFIX ending in / is a directory (DIR/U.npy, ...). Checked before reading
  --format F             npy (default) | arrow | parquet, for --out (layouts: README "Outputs")
  --dtype T              float32 | float64: element type of the written U and V (default: the
                         input's; S is always float64)
  --id-column NAME       an integer or string column of an Arrow/Parquet input carried beside U
                         (its first column; .npy: PREFIX.ids.npy, integers only), not a matrix column
  --report FILE.html     write a self-contained page with the plots of the run: singular values,
                         the scree plot with its a-posteriori bounds, the error per pass, the time
  --json                 print one JSON object on stdout
  --no-pass-errors       with --passes P >= 2 (RSI), do not form the factors after every pass: by
                         default the JSON perPass and the summary give the exact error after each
                         pass (a TSQR of A X per pass: w / (2 n) more work, w the block width)
  --no-progress          no progress line on stderr (it is off anyway when stderr is not a terminal)
  --threads N            kernel threads (default: 2 when the machine has 2 or more cores, else 1;
                         the results are the same bits for every N)
  --no-decode-worker     decode Arrow and Parquet files on the main thread (default: on a worker
                         thread, 2 blocks ahead of the sketch, when there are at least 2 cores)
  --connect-timeout T    wait at most T for a TCP connection, a producer on --listen or a writer
                         on a FIFO (default 30s; 0 for no limit)
  --idle-timeout T       a stream input (stdin, TCP, FIFO) that sends nothing for T while it is
                         being read is refused (default 120s; 0 for no limit)
  --max-message SIZE     largest Arrow IPC message / record batch / Parquet page accepted (default
                         max(16MiB, --memory-budget, 64 rows of the input's width))
  --checkpoint DIR       one-pass runs: save the state in DIR (checkpoint.rfsk, and with --out the
                         range rows, range-rows.arrows) every --checkpoint-every, atomically; the
                         files are removed once the outputs are committed
  --checkpoint-every E   a row count (1000000) or a duration (30s, 5m; default 60s)
  --resume DIR           continue the checkpoint in DIR: the same input and options (a difference is
                         refused, naming it); a file is re-read from the checkpoint's row; stdin or
                         TCP replayed from row 0 is checked and skipped up to it
  --producer-resumes     with --resume on stdin/TCP: the producer starts at the checkpoint's row
                         (printed on stderr) instead of replaying from row 0
  --distributed URL      run on 'rangefinder worker's through BullMQ on Redis (redis://HOST:PORT,
                         redis://:PASSWORD@HOST:PORT, rediss:// for TLS): approx FILE... stacks the
                         files by rows and cuts them into shards; one pass (rsvd, three-sketch,
                         two-sketch): shards sketched and merged in shard order; --passes P, rsi,
                         krylov: one flow of shard jobs per pass. Files, shard files and outputs
                         on storage every worker sees under the same paths (README "Scale out")
  --shards N             how many row ranges (default one per file; Parquet: whole row groups)
  --shard-dir DIR        where the workers write the shard files (default: the --out directory)
  -h, --help             this help

JSON keys: rows, cols, rank, passes, method, testMatrix, sketch, stateBytes, singularValues,
errorEstimate {frobenius, relative, normA, kind, reliable}, seconds, peakRssBytes (and notes, output
when written; explainedVariance, explainedVarianceRatio, totalVariance with --center; nonFinite with
--non-finite skip|zero; rankAuto {target, rank, explained, relativeError, certified, basis, width,
ceiling, rankAtLeast} with --rank auto; perPass [{pass, relativeError, frobenius}] with --passes >= 2;
distributed {redis, shards, workers, shardSeconds, waitSeconds, mergeSeconds} with --distributed).
`;

export const INSPECT_HELP = `Usage: rangefinder inspect <input> [--columns a,b,...] [--exclude a,b,...] [--orientation rows|columns] [--json]

Prints the shape, layout, dtype and record batches / row groups of an input (.npy, .arrow,
.feather, .arrows, .parquet, '-' for stdin, tcp://HOST:PORT) without reading its data.
`;

export const COMPRESS_HELP = `Usage: rangefinder compress MODEL --alpha A --out FILE [options]

Replaces each linear layer's weight W (m x n) by a rank-k factorization W ~ A B, k = floor(A min(m, n)),
A = U diag(S)^1/2, B = diag(S)^1/2 V^T, computed by randomized subspace iteration (RSI). Layers where
k (m + n) >= m n would not get smaller and are kept as they are.

MODEL
  FILE.onnx                       MatMul and Gemm weights, 1 x 1 convolutions (initializers and
                                  Constant nodes, subgraphs included)
  FILE.safetensors                every 2-D F32/F16/BF16/F64 tensor (and out x in x 1 x 1)
  NAME.safetensors.index.json     a sharded checkpoint
  model.json | *manifest.json     TensorFlow.js weights (uint8/uint16/float16 quantization dequantized)

Options
  --alpha A              rank k = floor(A min(m, n)) per layer, 0 < A <= 1 (required)
  --out FILE             the compressed model, in the input's format (required; sharded input:
                         the index path, shards are written beside it under the input's names)
  --passes P             RSI passes over each layer, q = P - 1 power iterations (default 3)
  --method rsi|exact     exact = the truncated SVD of every layer (default rsi)
  --layers PATTERNS      comma-separated globs (* ?) on layer or tensor names (default: all)
  --min-size N           keep layers with fewer than N weights (default 0)
  --memory-budget SIZE   memory for one layer's numeric state (default 512MiB); larger layers are
                         streamed from the file in row blocks (RSI by the Gram pass)
  --report FILE          write the report as JSON
  --evaluate X.npy,...   ONNX: run the original and the compressed model with onnxruntime-node
                         (install: ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node) on these
                         inputs and report top-1 agreement, the largest softmax deviation and the
                         bound 1/2 ||W - W^||_2 ||x||_2 on the last layer's captured inputs
  --no-baseline          skip the exact SVD of each layer (time baseline and sigma_{k+1})
  --lanczos-steps N      Lanczos steps for ||W - A B||_2 (default 100)
  --seed N               seed of the test matrices (default 0)
  --json                 print the report as JSON on stdout
  -q, --quiet            no per-layer lines on stderr

Output names: ONNX <W>.lowrank_A / <W>.lowrank_B initializers and two nodes per layer;
safetensors <name>.lowrank_A (m x k) and <name>.lowrank_B (k x n) in W's dtype, listed in
__metadata__["rangefinder.lowrank"]; TensorFlow.js <name>/lowrank_A and <name>/lowrank_B (float32).
Exit codes: 0 success, 2 bad usage or bad input (nothing is left under the output names), 1 internal error.
`;

export const WORKER_HELP = `Usage: rangefinder worker redis://HOST:PORT [--concurrency C] [--threads T] [--lock-duration T]

Serves the shard jobs of 'rangefinder approx --distributed' (BullMQ on Redis) until stopped: each
job sketches a row range of a file to a .rfsk file, or runs one pass of a multi-pass run over it
(saving its H, R and rows of G); the client merges them in shard order. Inputs and shard files must
be on storage every worker and the client see under the same paths.

Redis URL: redis://HOST:PORT, redis://:PASSWORD@HOST:PORT (or USER:PASSWORD@), rediss:// for TLS,
/DB for a database number. Requires bullmq and ioredis (npm install bullmq@6 ioredis@5).

Options
  --concurrency C        shard jobs run at once in this process (default 1)
  --threads T            kernel threads (default: 2 when the machine has 2 or more cores, else 1)
  --lock-duration T      a job's lock, renewed every T/2 while it runs; a worker silent for T (killed,
                         cut off) loses the job to another worker's stalled check (default 30s)
  -h, --help             this help

Stopping: SIGTERM takes no new job, finishes the current ones and exits 0; SIGINT (or a second
SIGTERM) returns the current jobs to the queue at once and exits 130 (143).
`;

export const SKETCH_HELP = `Usage: rangefinder sketch <input> --save FILE.rfsk --rank R [options]

Sketches one shard of a matrix in one pass and saves the sketch with its range rows (8 k bytes a
row), so that 'rangefinder merge' can write U, S and V of the whole matrix later, anywhere. A matrix
split across files, processes or machines: sketch each part, then merge the files.

Shards merge when they were made with the same options: --rank, --seed, --method, --test-matrix,
--center, --columns, and the same sizes. Sizes never depend on a shard's own rows: give every
shard the same --total-rows M (the whole matrix's rows: the sizes approx would choose for it), or
none, or pin them with --range-dim K / --oversamples P (with the same --memory-budget).

Options (besides approx's input and sketch options, see rangefinder approx --help)
  --save FILE.rfsk       where to write the sketch (atomically; required)
  --rows START:END       only rows START..END-1 of the input (END may be left out: to the end)
  --row-offset N         the global number of the shard's first row (default: START of --rows, or 0);
                         a separate file per shard needs it: the rows of the files before it
  --total-rows M         the rows of the whole matrix: the sizes are planned for it, and merge
                         checks that the shards cover it
  --json                 print one JSON object on stdout (rows, rowOffset, sizes, saved bytes)

Not taken: --out, --report, --format, --passes, --orientation (shards are read by rows), --demo;
--method rsi, krylov, fd or exact; --non-finite skip (it renumbers rows).
File format: docs/FORMATS.md (versioned, every section checksummed).
`;

export const MERGE_HELP = `Usage: rangefinder merge A.rfsk B.rfsk ... [--rank R] [--out PREFIX] [options]

Merges the sketches saved by 'rangefinder sketch --save' and writes U (rows in global order), S, V
and the summary exactly as 'rangefinder approx' does. The result does not depend on the order of
the files (they are merged by their first row). Refused, naming the field and the files: shards made
with different options (seed, method, test matrix, rank, sizes, dtype, centering, columns), shards
whose rows overlap or leave a gap, a damaged, truncated or newer-version file (exit 2, nothing written).

Options
  --rank R               the rank of the result (default: the shards'; at most their sketch size)
  --out PREFIX           write PREFIX.U.npy, PREFIX.S.npy, PREFIX.V.npy and PREFIX.summary.json as
                         one set (PREFIX ending in / is a directory)
  --format F             npy (default) | arrow | parquet, for --out
  --json                 print approx's JSON object, plus "shards": each file's path and rows
  --no-progress          no progress line on stderr
`;
