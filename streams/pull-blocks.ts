/**
 * The one way sources build their Observable: an async pull loop that reads a batch, emits it, and
 * reads the next only after `next` has returned (types.ts: sources pull). Unsubscribing aborts the
 * signal; the loop sees it at its next check, stops reading and closes what it opened in its own
 * `finally`. Hooks that must act at once (destroying a socket, which also ends a pending read) listen
 * to the signal's 'abort' event. Errors after unsubscription are dropped (nobody is listening).
 */
import { Observable, type Subscriber } from 'rxjs';

export type PullLoop<T> = (emit: (value: T) => void, signal: AbortSignal) => Promise<void>;

export function pullBlocks<T>(loop: PullLoop<T>): Observable<T> {
  return new Observable<T>((subscriber: Subscriber<T>) => {
    const controller = new AbortController();
    const emit = (value: T): void => { if (!subscriber.closed) subscriber.next(value); };
    loop(emit, controller.signal).then(
      () => { if (!subscriber.closed) subscriber.complete(); },
      (err: unknown) => { if (!subscriber.closed) subscriber.error(err); },
    );
    return () => controller.abort();
  });
}
