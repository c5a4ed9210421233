/**
 * Buffers of one size, handed out and taken back, so one pass over a 100 MiB log touches the
 * same few MiB again and again. Fresh 1 MiB buffers cost more than the copying they hold: every
 * new page is a fault the kernel zero-fills, and the garbage collector runs to free them
 * (measured on the 100,000-license backup: about 50 ms of the main thread's 240 ms).
 *
 * A buffer may have several holders at once (the line reader scanning it, views of it queued
 * for the writer): each holder retains it and releases it, and the last release puts it back.
 * A view of a buffer that is not the pool's is ignored, so callers need not tell them apart.
 */
export class BufferPool {
  readonly bufferBytes: number;
  readonly #keepFree: number;
  readonly #shared: boolean;
  readonly #free: Buffer[] = [];
  readonly #holders = new Map<ArrayBufferLike, { buffer: Buffer; holders: number }>();
  #created = 0;

  /**
   * `keepFree`: free buffers kept for reuse (more are dropped). `shared`: buffers over a
   * SharedArrayBuffer, which a worker thread can read without a copy.
   */
  constructor(bufferBytes: number, options: { keepFree?: number; shared?: boolean } = {}) {
    this.bufferBytes = bufferBytes;
    this.#keepFree = options.keepFree ?? 8;
    this.#shared = options.shared ?? false;
  }

  /** A buffer of `bufferBytes` with one holder (the caller). Its contents are whatever the last user left. */
  acquire(): Buffer {
    let buffer = this.#free.pop();
    if (buffer === undefined) {
      buffer = this.#shared
        ? Buffer.from(new SharedArrayBuffer(this.bufferBytes))
        : Buffer.allocUnsafeSlow(this.bufferBytes);
      this.#created += 1;
    }
    this.#holders.set(buffer.buffer, { buffer, holders: 1 });
    return buffer;
  }

  /** Adds a holder to the pool buffer under `view`; false (and nothing done) when the view is not of one. */
  retain(view: Uint8Array): boolean {
    const held = this.#holders.get(view.buffer);
    if (held === undefined) return false;
    held.holders += 1;
    return true;
  }

  /** Drops a holder of the pool buffer under `view`; the last one returns the buffer to the pool. */
  release(view: Uint8Array): void {
    const held = this.#holders.get(view.buffer);
    if (held === undefined) return;
    held.holders -= 1;
    if (held.holders > 0) return;
    this.#holders.delete(view.buffer);
    if (this.#free.length < this.#keepFree) this.#free.push(held.buffer);
  }

  /** Pool buffers that have a holder now. */
  get held(): number {
    return this.#holders.size;
  }

  /** Buffers allocated so far: what the pool's memory peaked at, in buffers. */
  get created(): number {
    return this.#created;
  }
}
