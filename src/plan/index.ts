/**
 * The planner: the only place a memory budget becomes sizes [docs/METHODS.md §2, §5]. One pass:
 * `planSketch` (sizes of the single-pass records from their layout tables); several passes:
 * `planPasses` (RSI by the Gram pass, block Krylov); `createSketch` applies the first.
 */
export { createSketch } from './create-sketch.js';
export {
  planSketch, minimumSketchBudget, minimumSizes, sketchBytes, sizesForStorage, rsvdWidth, rsvdWork, RSVD_FREE_WORK,
  type RsvdWidth, type SketchPlanQuery,
} from './plan-sketch.js';
export { planPasses, type PassPlan, type PlanPassesOptions, type PlannedMethod, type Spectrum } from './plan-passes.js';
export { planApprox, exactBytes, AUTO_RANK_MAX_WIDTH, type ApproxMethod, type ApproxPlan, type ApproxQuery } from './plan-approx.js';
