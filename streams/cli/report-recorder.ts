/**
 * What `approx --report FILE.html` needs beyond the JSON summary, collected while the run goes:
 * the timeline (from the progress meter's events: the first block of each pass, the phases the
 * runners announce, the end; a pass runs from its first block to the next event, so it includes
 * the computation that follows its last block), the single-pass sketch's scree bounds [TYUC19 §6.2] and, for RSI,
 * the result after every pass (runPasses `resultEveryPass`). The runners fill `scree` and `perPass`
 * only when a recorder is present (RunContext.report), so a run without --report does no extra work.
 */
import type { ScreeBounds } from '../../src/internals.js';
import type { ProgressMeter } from './progress-meter.js';

export interface TimelineSegment {
  label: string;
  /** Seconds from the start of the run. */
  start: number;
  end: number;
}

export interface PassResultRecord {
  pass: number;
  /** ||A - A_r||_F / ||A||_F after this pass (exact: A_r is an orthogonal projection of A). */
  relativeResidual: number;
  singularValues: number[];
}

export interface ReportRecorder {
  /** The meter the runners use, wrapped so that its events also mark the timeline. */
  wrap(meter: ProgressMeter): ProgressMeter;
  /** Closes the timeline (call when the run has returned). */
  finish(): void;
  readonly timeline: TimelineSegment[];
  /** Single-pass sketches: the scree bounds of the sketch (screeBounds). */
  scree?: ScreeBounds;
  /** RSI: the result after every pass. */
  perPass?: PassResultRecord[];
}

export function createReportRecorder(t0: number, now: () => number = () => performance.now()): ReportRecorder {
  const timeline: TimelineSegment[] = [];
  const at = (): number => (now() - t0) / 1000;
  let label = 'open the input, plan, read the first block';
  let start = 0;
  let pass = 0;
  let finished = false;
  const begin = (next: string, when: number): void => {
    if (when > start || timeline.length === 0) timeline.push({ label, start, end: when });
    label = next;
    start = when;
  };
  return {
    timeline,
    wrap(meter) {
      return {
        block(rows, bytes, p = 1, passes = 1) {
          const t = at();
          if (p !== pass) {
            pass = p;
            begin(passes > 1 ? `pass ${p} of ${passes}, then its solve` : 'the pass, then the solve', t);
          }
          meter.block(rows, bytes, p, passes);
        },
        phase(text) {
          begin(text, at());
          meter.phase(text);
        },
        done() { meter.done(); },
      };
    },
    finish() {
      if (finished) return;
      finished = true;
      begin('', at());
      timeline.splice(0, timeline.length, ...timeline.filter((s) => s.end - s.start > 0 || timeline.length === 1));
    },
  };
}
