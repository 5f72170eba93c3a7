/** One signal for cancel and timeout, remembering which came first. */
export class JobAbort {
  private readonly controller = new AbortController();
  private reason: 'cancel' | 'timeout' | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onCancel = (): void => this.fire('cancel');

  constructor(
    private readonly external: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.fire('timeout'), timeoutMs);
    if (external?.aborted) this.fire('cancel');
    else external?.addEventListener('abort', this.onCancel, { once: true });
  }

  private fire(reason: 'cancel' | 'timeout'): void {
    this.reason ??= reason;
    this.controller.abort();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get status(): 'cancelled' | 'timed_out' {
    return this.reason === 'timeout' ? 'timed_out' : 'cancelled';
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.external?.removeEventListener('abort', this.onCancel);
  }
}
