/**
 * The error family of rangefinder (after DataSketches' SketchesArgumentException family): one class
 * per kind of failure, each with a stable `code` that scripts and the CLI can switch on.
 * Messages name the place (row, column, file, option), what was expected and what was found.
 */
export type ErrorCode =
  | 'ARGUMENT'
  | 'SHAPE'
  | 'NON_FINITE'
  | 'INCOMPATIBLE_MERGE'
  | 'BUDGET'
  | 'FORMAT'
  | 'SOURCE'
  | 'NUMERIC';

export class RangefinderError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A bad option or argument (thrown synchronously at creation time). */
export class ArgumentError extends RangefinderError {
  constructor(message: string) { super('ARGUMENT', message); }
}
/** A row or block of the wrong length or shape: `row 17 has 255 values, expected 256`. */
export class ShapeError extends RangefinderError {
  constructor(message: string) { super('SHAPE', message); }
}
/** NaN or Inf in the input: `row 4: value at column 9 is NaN`. */
export class NonFiniteError extends RangefinderError {
  constructor(message: string) { super('NON_FINITE', message); }
}
/** Two sketches that cannot be merged (other seed, shape, family or sizes). */
export class IncompatibleMergeError extends RangefinderError {
  constructor(message: string) { super('INCOMPATIBLE_MERGE', message); }
}
/** A memory budget too small for the requested rank and shape; states the smallest that works. */
export class BudgetError extends RangefinderError {
  constructor(message: string) { super('BUDGET', message); }
}
/** A malformed, truncated or unsupported file or serialized sketch. */
export class FormatError extends RangefinderError {
  constructor(message: string) { super('FORMAT', message); }
}
/** A source that failed or cannot do what was asked (dropped socket, second pass of a one-shot). */
export class SourceError extends RangefinderError {
  constructor(message: string) { super('SOURCE', message); }
}
/** A numerical failure (a singular triangular factor, an SVD that did not converge). */
export class NumericError extends RangefinderError {
  constructor(message: string) { super('NUMERIC', message); }
}
