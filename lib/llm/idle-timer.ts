/**
 * A timer that aborts a signal when nothing happened for `ms`: a model stream that stopped
 * producing tokens. Every sign of progress calls `touch()`; without `ms` it never fires.
 */
export interface IdleTimer {
  readonly signal: AbortSignal;
  touch(): void;
  stop(): void;
}

export function idleTimer(ms: number | undefined, reason: () => Error): IdleTimer {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    if (!ms) return;
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(reason()), ms);
  };
  touch();
  return { signal: controller.signal, touch, stop: () => clearTimeout(timer) };
}
