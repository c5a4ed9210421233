/**
 * Runs file-system work (writing the files of GPO backups) a few tasks at a time, beside the
 * SYSVOL stream. Core writes small files synchronously, but a task still waits for its GPO's
 * staging folder, and a larger file (over 64 KiB) is opened, written and closed through libuv's
 * thread pool, which one task at a time would leave idle. `run` waits while `limit` tasks are in
 * flight or `maxBytes` of content is held, which keeps memory flat however many GPOs there are.
 */
export class WritePool {
  readonly #limit: number;
  readonly #maxBytes: number;
  readonly #inFlight = new Set<Promise<void>>();
  #heldBytes = 0;
  #failure: { error: unknown } | undefined;

  constructor(limit = 8, maxBytes = 16 << 20) {
    this.#limit = limit;
    this.#maxBytes = maxBytes;
  }

  /** Starts `task` once there is room (`bytes`: the content it holds until done); throws an earlier task's error. */
  async run(task: () => Promise<unknown>, bytes = 0): Promise<void> {
    this.#throwIfFailed();
    while (
      this.#inFlight.size >= this.#limit ||
      (this.#inFlight.size > 0 && this.#heldBytes + bytes > this.#maxBytes)
    ) {
      await Promise.race(this.#inFlight);
      this.#throwIfFailed();
    }
    this.#heldBytes += bytes;
    const running: Promise<void> = task().then(
      () => undefined,
      (error: unknown) => {
        this.#failure ??= { error };
      },
    );
    const tracked = running.finally(() => {
      this.#heldBytes -= bytes;
      this.#inFlight.delete(tracked);
    });
    this.#inFlight.add(tracked);
  }

  /** Waits for every task; throws the first error any of them raised. */
  async drain(): Promise<void> {
    await this.settle();
    this.#throwIfFailed();
  }

  /** Waits for every task without throwing (before removing the files they write). */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
