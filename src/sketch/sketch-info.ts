/** Read-only facts about a sketch: rows absorbed, sizes. */
import type { SketchSizes, SketchState } from './types.js';

/** Row vectors absorbed by `updateRows` (with multiplicity). */
export function rowsSeen(state: SketchState): number {
  return state.rowsSeen;
}

/** The sizes in use: k, s, l, q, the rule that chose them, and the chunk height. */
export function sketchSizes(state: SketchState): SketchSizes {
  return { ...state.sizes };
}
