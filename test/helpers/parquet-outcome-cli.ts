/** Child-process entry for the bad_data sweep: prints the outcome of one file as JSON. */
import { parquetOutcome } from './parquet-outcome.js';

const path = process.argv[2];
parquetOutcome(path).then(
  (o) => { process.stdout.write(JSON.stringify(o)); },
  (e: unknown) => { process.stdout.write(JSON.stringify({ crashed: String((e as Error)?.stack ?? e) })); process.exitCode = 2; },
);
