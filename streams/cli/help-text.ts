/** The `--help` text of each command (kept next to the parser so options and help stay in step). */

export const MAIN_HELP = `rangefinder: streaming low-rank matrix approximation under a memory budget

Usage:
  rangefinder approx <input> --rank R [options]   low-rank factors U, S, V of a matrix
  rangefinder approx --demo                        the demo on the embedded digits matrix
  rangefinder inspect <input>                      shape, layout, dtype, batches of an input
  rangefinder bench [options]                      the pass-budget benchmark

Run 'rangefinder <command> --help' for the options of a command.
Exit codes: 0 success, 2 bad usage or bad input, 1 internal error; 130, 143, 129 after SIGINT,
SIGTERM, SIGHUP (temporary files removed).
`;

export const APPROX_HELP = `Usage: rangefinder approx <input> --rank R [options]

<input>
  FILE                   .npy, Arrow IPC file or stream, Parquet: told by the file's first bytes
                         (the extension is a hint); a FIFO is read as an Arrow IPC stream
  -                      an Arrow IPC stream on stdin (one pass only)
  tcp://HOST:PORT        connect to a producer of an Arrow IPC stream (one pass only)
  --listen HOST:PORT     accept one producer instead (HOST defaults to 127.0.0.1; :0 picks a port)
  synthetic:MxN[:rank=R,noise=X,decay=D,seed=S]   a deterministic synthetic matrix
  --demo                 the embedded matrix (data/sklearn_digits.npy), rank 10 by default

Options
  --rank R               target rank (required except with --demo)
  --passes P             pass budget: how many times the input may be read (default 1; > 1 needs
                         a file). Single-view sketches use one pass; FD a second one for U
  --memory-budget SIZE   bytes for the in-memory state: 64MiB (default), 1GB, 500k, 1048576
  --method M             auto (default) | three-sketch | two-sketch | rsi | krylov | fd | exact
                         auto: three-sketch for 1 pass, the pass planner (RSI) for more
  --test-matrix T        sparse-sign | gaussian (default: sparse-sign for one-pass sketches, gaussian for rsi/krylov)
  --size-rule R          flat (default) | natural: how sketch sizes follow from the budget
                         (flat suits slowly decaying spectra [TYUC19 §5.4])
  --range-dim K          range sketch size k (overrides the budget rule)
  --core-dim S           core sketch size s (three-sketch)
  --co-range-dim L       co-range size l (two-sketch), FD sketch rows, or RSI block width
  --seed N               seed of every test matrix (default 0)
  --orientation O        rows (default): stream A by rows; columns: stream A by columns (the
                         natural order of Fortran-order .npy and wide Parquet); U, V are for A
  --columns a,b,...      the matrix columns of a table, in order (default: every column)
  --exclude a,b,...      table columns to leave out (an id or a label column)
  --non-finite P         error (default) | skip | zero: rows with NaN, Inf or null values
  --center               approximate A minus its column mean (PCA)
  --out PREFIX           write PREFIX.U.npy, PREFIX.S.npy, PREFIX.V.npy (A ~ U diag(S) V^T) and
                         PREFIX.summary.json, committed as one set (a reader never sees a mix);
                         PREFIX ending in / is a directory (DIR/U.npy, ...). Checked before reading
  --format F             npy (default) | arrow | parquet, for --out
  --json                 print one JSON object on stdout
  --no-progress          no progress line on stderr (it is off anyway when stderr is not a terminal)
  --threads N            kernel threads (default 1)
  --no-decode-worker     decode Arrow and Parquet files on the main thread (default: on a worker
                         thread, 2 blocks ahead of the sketch, when there are at least 2 cores)
  --connect-timeout T    wait at most T for a TCP connection, a producer on --listen or a writer
                         on a FIFO (default 30s; 0 for no limit)
  --idle-timeout T       a stream input (stdin, TCP, FIFO) that sends nothing for T while it is
                         being read is refused (default 120s; 0 for no limit)
  --max-message SIZE     largest Arrow IPC message / record batch / Parquet page accepted (default
                         max(16MiB, --memory-budget, 64 rows of the input's width))
  -h, --help             this help

JSON keys: rows, cols, rank, passes, method, testMatrix, sketch, stateBytes, singularValues,
errorEstimate {frobenius, relative}, seconds, peakRssBytes (and notes, output when written).
`;

export const INSPECT_HELP = `Usage: rangefinder inspect <input> [--columns a,b,...] [--exclude a,b,...] [--orientation rows|columns] [--json]

Prints the shape, layout, dtype and record batches / row groups of an input (.npy, .arrow,
.feather, .arrows, .parquet, '-' for stdin, tcp://HOST:PORT) without reading its data.
`;

export const BENCH_HELP = `Usage: rangefinder bench [--quick] [--no-numpy] [--out DIR]

The pass-budget benchmark: Frobenius and spectral error relative to the optimum, time and peak
memory of the single-view two- and three-sketch, Frequent Directions, RSVD, RSI (q = 1..4) and
block Krylov, with numpy's RSVD and RSI in the same run when python3 with numpy is present.
Writes DIR/pass-budget.json, .csv, .md, -frobenius.svg and -spectral.svg (default DIR bench/out;
--quick: pass-budget-quick.*). Matrices: ppocr_rec_conv180 from ../shared/data/matrices (or
$RANGEFINDER_MATRICES) and a synthetic PolyDecay 2000 x 400. Needs 'npm run build' (runs the CLI).
`;
