import type { BufferPool } from '@coffer/drm-license-store/backup';

interface Chunk {
  parts: Uint8Array[];
  bytes: number;
  /** Backing buffers its parts keep alive (consecutive parts of one buffer count once). */
  buffers: number;
}

/**
 * A bounded queue of bytes between one producer and one consumer (core's writeFile, which
 * takes an async iterable). The consumer gets lists of byte arrays of about `chunkBytes`
 * together, each written with one writev: views the producer handed over (`push`, such as
 * runs of a read buffer) are never joined by copying, and small pieces (`pushCopy`) are
 * copied into a fill buffer. A producer that gets ahead waits, which keeps memory flat: the
 * queue is bounded both in bytes and in the backing buffers its views keep alive, so many
 * small views of many 1 MiB read buffers cannot hold them all.
 *
 * With a `pool`, fill buffers come from it, and the pool buffers under queued views are
 * retained until the consumer has written them: core's writeFile is done with a chunk once it
 * asks for the next, so that is when they are released. Either side can fail the channel, and
 * the other side then throws.
 */
export class ByteChannel implements AsyncIterable<readonly Uint8Array[]> {
  readonly #chunkBytes: number;
  readonly #maxQueuedBytes: number;
  readonly #maxPartBuffers: number;
  readonly #maxQueuedBuffers: number;
  readonly #pool: BufferPool | undefined;
  /** Views pushed since the last cut, in order; the fill buffer's pending bytes come after them. */
  #parts: Chunk = emptyChunk();
  #lastBacking: ArrayBufferLike | undefined;
  #fill: Buffer | undefined;
  #fillStart = 0;
  #fillEnd = 0;
  #ready: Chunk[] = [];
  #readyBytes = 0;
  #readyBuffers = 0;
  #ended = false;
  #failure: unknown;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  constructor(chunkBytes = 1 << 20, maxQueuedBytes = 4 << 20, pool?: BufferPool) {
    this.#chunkBytes = chunkBytes;
    this.#maxQueuedBytes = maxQueuedBytes;
    // A chunk's views may keep up to this many backing buffers alive, and the queue twice that.
    this.#maxPartBuffers = Math.max(2, Math.ceil(maxQueuedBytes / chunkBytes));
    this.#maxQueuedBuffers = 2 * this.#maxPartBuffers;
    this.#pool = pool;
  }

  /** Queues bytes the caller will not change while queued (kept as a view); resolves at once unless the queue is full. */
  push(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    if (bytes.length === 0) return undefined;
    this.#settleFill();
    this.#pool?.retain(bytes);
    this.#addPart(bytes);
    return this.#backpressure();
  }

  /** Copies `source[start, end)`, then `suffix` (a byte) when given, into the fill buffer. */
  pushCopy(source: Uint8Array, start: number, end: number, suffix?: number): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    const length = end - start + (suffix === undefined ? 0 : 1);
    if (this.#fill === undefined || this.#fillEnd + length > this.#fill.length) this.#newFill(length);
    const fill = this.#fill!;
    fill.set(source.subarray(start, end), this.#fillEnd);
    this.#fillEnd += end - start;
    if (suffix !== undefined) fill[this.#fillEnd++] = suffix;
    return this.#backpressure();
  }

  end(): void {
    this.#settleFill();
    this.#dropFill();
    this.#cut();
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error ?? new Error('channel failed');
    this.#wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly Uint8Array[]> {
    let written: Chunk | undefined;
    try {
      for (;;) {
        // Asking for the next chunk means the last one is written: its pool buffers can go back.
        if (written !== undefined) this.#release(written);
        written = undefined;
        if (this.#failure !== undefined) throw this.#failure;
        const chunk = this.#ready.shift();
        if (chunk !== undefined) {
          this.#readyBytes -= chunk.bytes;
          this.#readyBuffers -= chunk.buffers;
          this.#releaseProducerIfRoom();
          written = chunk;
          yield chunk.parts;
          continue;
        }
        if (this.#ended) return;
        await new Promise<void>((resolve) => {
          this.#wakeConsumer = resolve;
        });
      }
    } finally {
      // Finished, failed or abandoned: nothing queued will be written.
      if (written !== undefined) this.#release(written);
      for (const chunk of this.#ready.splice(0)) this.#release(chunk);
      this.#release(this.#parts);
      this.#parts = emptyChunk();
      this.#dropFill();
    }
  }

  #addPart(view: Uint8Array): void {
    const parts = this.#parts;
    parts.parts.push(view);
    parts.bytes += view.length;
    if (view.buffer !== this.#lastBacking) {
      parts.buffers += 1;
      this.#lastBacking = view.buffer;
    }
    if (parts.bytes >= this.#chunkBytes || parts.buffers >= this.#maxPartBuffers) this.#cut();
  }

  #newFill(length: number): void {
    this.#settleFill();
    this.#dropFill();
    const pool = this.#pool;
    this.#fill =
      pool !== undefined && length <= pool.bufferBytes
        ? pool.acquire()
        : Buffer.allocUnsafe(Math.max(this.#chunkBytes, length));
    this.#fillStart = 0;
    this.#fillEnd = 0;
  }

  /** Moves the bytes copied into the fill buffer since the last settle into the parts, as a view. */
  #settleFill(): void {
    if (this.#fill === undefined || this.#fillEnd === this.#fillStart) return;
    const view = this.#fill.subarray(this.#fillStart, this.#fillEnd);
    this.#fillStart = this.#fillEnd;
    this.#pool?.retain(view);
    this.#addPart(view);
  }

  /** Gives up the channel's own hold on the fill buffer (views of it keep theirs). */
  #dropFill(): void {
    if (this.#fill !== undefined) this.#pool?.release(this.#fill);
    this.#fill = undefined;
  }

  #cut(): void {
    const chunk = this.#parts;
    if (chunk.bytes === 0) return;
    this.#parts = emptyChunk();
    this.#lastBacking = undefined;
    this.#ready.push(chunk);
    this.#readyBytes += chunk.bytes;
    this.#readyBuffers += chunk.buffers;
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    wake?.();
  }

  #backpressure(): Promise<void> | undefined {
    // Copied bytes waiting in the fill buffer count as queued too.
    if (this.#parts.bytes + this.#fillEnd - this.#fillStart >= this.#chunkBytes) {
      this.#settleFill();
      this.#cut();
    }
    if (!this.#full()) return undefined;
    return new Promise<void>((resolve) => {
      this.#wakeProducer = resolve;
    }).then(() => {
      if (this.#failure !== undefined) throw this.#failure;
    });
  }

  #full(): boolean {
    return this.#readyBytes >= this.#maxQueuedBytes || this.#readyBuffers >= this.#maxQueuedBuffers;
  }

  #release(chunk: Chunk): void {
    const pool = this.#pool;
    if (pool !== undefined) for (const part of chunk.parts) pool.release(part);
    chunk.parts = [];
  }

  #releaseProducerIfRoom(): void {
    if (this.#full()) return;
    const wake = this.#wakeProducer;
    this.#wakeProducer = undefined;
    wake?.();
  }

  #wake(): void {
    const consumer = this.#wakeConsumer;
    this.#wakeConsumer = undefined;
    consumer?.();
    const producer = this.#wakeProducer;
    this.#wakeProducer = undefined;
    producer?.();
  }
}

function emptyChunk(): Chunk {
  return { parts: [], bytes: 0, buffers: 0 };
}
