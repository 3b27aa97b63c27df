/**
 * A bad command line (unknown option, missing or malformed value): exit code 2 like any
 * RangefinderError, with a message that names the option and the help command to read.
 */
import { ArgumentError } from '../../src/internals.js';

export class UsageError extends ArgumentError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
