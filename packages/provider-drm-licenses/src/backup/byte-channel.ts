/**
 * A bounded queue of bytes between one producer and one consumer (core's writeFile, which
 * takes an async iterable). Pushes coalesce into chunks of up to `chunkBytes`, so many
 * small lines become few large writes; a producer that gets ahead waits, which keeps
 * memory flat. Either side can fail the channel, and the other side then throws.
 */
export class ByteChannel implements AsyncIterable<Uint8Array> {
  readonly #chunkBytes: number;
  readonly #maxQueuedBytes: number;
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  #ready: Uint8Array[] = [];
  #readyBytes = 0;
  #ended = false;
  #failure: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  constructor(chunkBytes = 1 << 20, maxQueuedBytes = 4 << 20) {
    this.#chunkBytes = chunkBytes;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  /** Queues bytes; resolves at once unless the queue is full. */
  push(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    this.#parts.push(bytes);
    this.#partBytes += bytes.length;
    if (this.#partBytes >= this.#chunkBytes) this.#cut();
    if (this.#readyBytes >= this.#maxQueuedBytes) {
      return new Promise<void>((resolve) => {
        this.#wakeProducer = resolve;
      }).then(() => {
        if (this.#failure !== undefined) throw this.#failure;
      });
    }
    return undefined;
  }

  end(): void {
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

  #cut(): void {
    if (this.#partBytes === 0) return;
    const chunk = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#partBytes);
    this.#parts = [];
    this.#partBytes = 0;
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
