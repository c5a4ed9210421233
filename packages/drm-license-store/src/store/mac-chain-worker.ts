import { Worker } from 'node:worker_threads';
import type { BufferPool } from '../io/buffer-pool.js';
import { equalHex } from '../crypto/primitives.js';
import { RecordRangeFeed, type ByteRange } from './mac-chain.js';

/**
 * The worker's whole program: the same chain as MacChainVerifier (HMAC-SHA256 of the previous
 * MAC, "\n", then the batch's record lines), fed ranges of shared buffers. It answers every range
 * (so the buffer can go back to its pool) and every seal (with the batch's MAC). Inline rather
 * than a file of its own, so it runs the same from the sources (tests) and from the bundle.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const key = workerData.key;
let hmac = createHmac('sha256', key).update(workerData.genesis).update('\\n');
parentPort.on('message', (message) => {
  if (message.kind === 'range') {
    hmac.update(new Uint8Array(message.buffer, message.start, message.length));
    parentPort.postMessage({ kind: 'hashed', id: message.id });
  } else if (message.kind === 'seal') {
    const mac = hmac.digest('hex');
    hmac = createHmac('sha256', key).update(mac).update('\\n');
    parentPort.postMessage({ kind: 'sealed', mac });
  }
});
`;

/** Bytes handed to the worker and not yet hashed, beyond which the scan waits for it. */
const MAX_OUTSTANDING_BYTES = 8 << 20;

type WorkerReply = { kind: 'hashed'; id: number } | { kind: 'sealed'; mac: string };

/**
 * Checks a log's MAC chain on a worker thread while the scan goes on, for the one pass where the
 * main thread has other hashing to do (the backup, which also hashes everything it writes): on
 * two cores the HMAC of a 100 MiB log then runs beside the copy instead of before it.
 *
 * Ranges of pool buffers backed by a SharedArrayBuffer are hashed in place (the buffer is
 * retained until the worker answers); any other range is copied. A batch's verdict arrives a
 * little after its seal line, so a tampered log is reported a buffer or two later than by the
 * in-thread verifier, and always before the scan completes: `check()` throws the first mismatch.
 */
export class MacChainWorkerVerifier extends RecordRangeFeed {
  readonly #worker: Worker;
  readonly #pool: BufferPool | undefined;
  readonly #sent = new Map<number, { view: Uint8Array | undefined; bytes: number }>();
  readonly #claimed: string[] = [];
  #nextId = 0;
  #outstanding = 0;
  #lastMac: string;
  #sealsAnswered = 0;
  #mismatch = false;
  #closing = false;
  #failure: Error | undefined;
  #waiters: (() => void)[] = [];

  constructor(key: Uint8Array, genesis: string, pool?: BufferPool) {
    super();
    this.#pool = pool;
    this.#lastMac = genesis;
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { key: Uint8Array.from(key), genesis } });
    this.#worker.on('message', (reply: WorkerReply) => this.#onReply(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.#closing) this.#fail(new Error(`the MAC check's worker thread stopped (exit code ${code})`));
    });
  }

  /** Queues a `M` line (without its newline) for checking; false at once when its record count is wrong. */
  seal(line: string): boolean {
    this.flushPending();
    const [, countText, mac] = line.split('\t');
    const countOk = Number(countText) === this.batchRecords;
    this.#claimed.push(mac ?? '');
    this.batchRecords = 0;
    this.#post({ kind: 'seal' });
    return countOk;
  }

  /** Hands the pending range over; waits while the worker is far behind (memory stays flat). */
  endOfBuffer(): Promise<void> | undefined {
    this.flushPending();
    this.check();
    if (this.#outstanding <= MAX_OUTSTANDING_BYTES) return undefined;
    return this.#catchUp();
  }

  async #catchUp(): Promise<void> {
    while (this.#failure === undefined && this.#outstanding > MAX_OUTSTANDING_BYTES) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.check();
  }

  /** Throws if a batch already answered did not match its MAC line, or the worker failed. */
  check(): void {
    if (this.#failure) throw this.#failure;
    if (this.#mismatch) throw new MacMismatch();
  }

  /** Waits for every answer; the chain's last MAC (throws like {@link check}). */
  async finish(): Promise<string> {
    this.flushPending();
    while (this.#failure === undefined && (this.#sealsAnswered < this.#claimed.length || this.#sent.size > 0)) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.check();
    return this.#lastMac;
  }

  /** Stops the worker and gives back every buffer it still held. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
    for (const { view } of this.#sent.values()) if (view) this.#pool?.release(view);
    this.#sent.clear();
    this.#wakeAll();
  }

  protected hashRange(pending: ByteRange): void {
    const length = pending.end - pending.start;
    const id = this.#nextId++;
    if (pending.buffer instanceof SharedArrayBuffer) {
      const view = new Uint8Array(pending.buffer, pending.start, length);
      const held = this.#pool?.retain(view) ? view : undefined;
      this.#sent.set(id, { view: held, bytes: length });
      this.#post({ kind: 'range', id, buffer: pending.buffer, start: pending.start, length });
    } else {
      // Not shared: the worker gets a copy of just this range.
      const copy = new Uint8Array(pending.buffer as ArrayBuffer, pending.start, length).slice();
      this.#sent.set(id, { view: undefined, bytes: length });
      this.#post({ kind: 'range', id, buffer: copy.buffer, start: 0, length }, [copy.buffer]);
    }
    this.#outstanding += length;
  }

  #post(message: object, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #onReply(reply: WorkerReply): void {
    if (reply.kind === 'hashed') {
      const sent = this.#sent.get(reply.id);
      if (sent === undefined) return;
      this.#sent.delete(reply.id);
      this.#outstanding -= sent.bytes;
      if (sent.view) this.#pool?.release(sent.view);
    } else {
      const claimed = this.#claimed[this.#sealsAnswered++]!;
      if (!equalHex(reply.mac, claimed)) this.#mismatch = true;
      this.#lastMac = reply.mac;
    }
    this.#wakeAll();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** A batch did not match its MAC line (the caller turns it into its store error). */
export class MacMismatch extends Error {
  constructor() {
    super('a batch does not match its MAC');
  }
}
