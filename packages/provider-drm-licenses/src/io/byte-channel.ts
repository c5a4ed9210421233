/**
 * A bounded queue of bytes between one producer and one consumer (core's writeFile, which
 * takes an async iterable). Small pieces are copied into chunk buffers of `chunkBytes`
 * (`pushCopy`) or kept as views and joined when cut (`push`), so many small lines become
 * few large writes; a view of at least a quarter of `chunkBytes` is already a large write and
 * passes through without a copy (joining the near-1 MiB runs of a read buffer would copy the
 * whole licenses file once more). A
 * producer that gets ahead waits, which keeps memory flat. Either side can fail the
 * channel, and the other side then throws.
 */
export class ByteChannel implements AsyncIterable<Uint8Array> {
  readonly #chunkBytes: number;
  readonly #passThroughBytes: number;
  readonly #maxQueuedBytes: number;
  /** Views pushed since the last cut, in order; the fill buffer's bytes come after them. */
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  #fill: Buffer | undefined;
  #fillStart = 0;
  #fillEnd = 0;
  #ready: Uint8Array[] = [];
  #readyBytes = 0;
  #ended = false;
  #failure: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  constructor(chunkBytes = 1 << 20, maxQueuedBytes = 4 << 20) {
    this.#chunkBytes = chunkBytes;
    this.#passThroughBytes = Math.max(1, chunkBytes >>> 2);
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /** Queues bytes the caller will not change again (kept as a view); resolves at once unless the queue is full. */
  push(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    this.#settleFill();
    if (bytes.length >= this.#passThroughBytes) {
      this.#cut();
      this.#enqueue(bytes);
    } else {
      this.#parts.push(bytes);
      this.#partBytes += bytes.length;
      if (this.#partBytes >= this.#chunkBytes) this.#cut();
    }
    return this.#backpressure();
  }

  /** Copies `source[start, end)`, then `suffix` (a byte) when given, into the current chunk buffer. */
  pushCopy(source: Uint8Array, start: number, end: number, suffix?: number): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    const length = end - start + (suffix === undefined ? 0 : 1);
    if (this.#fill === undefined || this.#fillEnd + length > this.#fill.length) {
      this.#settleFill();
      if (this.#partBytes > 0 && this.#partBytes + length > this.#chunkBytes) this.#cut();
      this.#fill = Buffer.allocUnsafe(Math.max(this.#chunkBytes - this.#partBytes, length));
      this.#fillStart = 0;
      this.#fillEnd = 0;
    }
    const fill = this.#fill;
    fill.set(source.subarray(start, end), this.#fillEnd);
    this.#fillEnd += end - start;
    if (suffix !== undefined) fill[this.#fillEnd++] = suffix;
    if (this.#partBytes + this.#fillEnd - this.#fillStart >= this.#chunkBytes) {
      this.#settleFill();
      this.#cut();
    }
    return this.#backpressure();
  }

  end(): void {
    this.#settleFill();
    this.#cut();
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error ?? new Error('channel failed');
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      const chunk = this.#ready.shift();
      if (chunk !== undefined) {
        this.#readyBytes -= chunk.length;
        if (this.#readyBytes < this.#maxQueuedBytes) this.#releaseProducer();
        yield chunk;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wakeConsumer = resolve;
      });
    }
  }

  #backpressure(): Promise<void> | undefined {
    if (this.#readyBytes < this.#maxQueuedBytes) return undefined;
    return new Promise<void>((resolve) => {
      this.#wakeProducer = resolve;
    }).then(() => {
      if (this.#failure !== undefined) throw this.#failure;
    });
  }

  /** Moves the bytes copied into the fill buffer so far into the parts, as a view. */
  #settleFill(): void {
    if (this.#fill === undefined || this.#fillEnd === this.#fillStart) return;
    const view = this.#fill.subarray(this.#fillStart, this.#fillEnd);
    this.#parts.push(view);
    this.#partBytes += view.length;
    this.#fillStart = this.#fillEnd;
    if (this.#fillEnd === this.#fill.length) this.#fill = undefined;
  }

  #cut(): void {
    if (this.#partBytes === 0) return;
    const chunk = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#partBytes);
    this.#parts = [];
    this.#partBytes = 0;
    this.#enqueue(chunk);
  }

  #enqueue(chunk: Uint8Array): void {
    this.#ready.push(chunk);
    this.#readyBytes += chunk.length;
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #releaseProducer(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = undefined;
    wake?.();
  }

  #wake(): void {
    const consumer = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    consumer?.();
    this.#releaseProducer();
  }
}
