import { createHmac, type Hmac } from 'node:crypto';
import { equalHex } from '../crypto/primitives.js';

/**
 * Append-only logs are sealed in batches: a batch is some record lines followed by
 * `M\t<records>\t<mac>`, where mac = HMAC-SHA256(key, previousMac "\n" batch bytes).
 * The chain starts from a genesis value naming the log, so logs cannot be swapped, and
 * the store header keeps the last MAC, so dropping or replaying a batch is detected.
 * Appending costs one HMAC over the new batch only; checking streams the whole log once.
 */
export const MAC_LINE_PREFIX = 'M\t';

export function genesisMac(storeId: string, logKind: string): string {
  return `genesis:${storeId}:${logKind}`;
}

export function sealBatch(
  key: Uint8Array,
  previousMac: string,
  batch: Uint8Array | string,
  records: number,
): { macLine: string; mac: string } {
  const mac = createHmac('sha256', key).update(previousMac).update('\n').update(batch).digest('hex');
  return { macLine: `${MAC_LINE_PREFIX}${records}\t${mac}\n`, mac };
}

export interface ByteRange {
  buffer: ArrayBufferLike;
  start: number;
  end: number;
}

/**
 * What both chain checkers share: record lines on their way into a batch's HMAC, counted.
 * Consecutive lines that sit next to each other in one read buffer are joined into one range
 * (a 100,000-line log costs a few hundred hash updates, not 200,000).
 */
export abstract class RecordRangeFeed {
  #pending: ByteRange | undefined;
  /** Records since the last MAC line. */
  protected batchRecords = 0;
  records = 0;

  /** True when every record read so far is covered by a MAC line. */
  get sealed(): boolean {
    return this.batchRecords === 0;
  }

  /** Feeds the record line `[start, end)` of an ArrayBuffer whose byte at `end` is the line's newline. */
  recordRange(buffer: ArrayBufferLike, start: number, end: number): void {
    this.batchRecords += 1;
    this.records += 1;
    const pending = this.#pending;
    if (pending && pending.buffer === buffer && pending.end === start) {
      pending.end = end + 1;
      return;
    }
    this.#pending = { buffer, start, end: end + 1 };
    if (pending) this.hashRange(pending);
  }

  /** Hashes the range still pending: at a MAC line, and before the buffer it lies in may be reused. */
  protected flushPending(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.hashRange(pending);
  }

  protected abstract hashRange(range: ByteRange): void;
}

/** Checks a log line by line while it streams past, in the scanning thread. */
export class MacChainVerifier extends RecordRangeFeed {
  readonly #key: Uint8Array;
  #previous: string;
  #hmac: Hmac;

  constructor(key: Uint8Array, genesis: string) {
    super();
    this.#key = key;
    this.#previous = genesis;
    this.#hmac = this.#start();
  }

  get lastMac(): string {
    return this.#previous;
  }

  /** Checks a `M` line (without its newline); false when the batch was altered. */
  seal(line: string): boolean {
    this.flushPending();
    const [, countText, mac] = line.split('\t');
    const expected = this.#hmac.digest('hex');
    const ok = mac !== undefined && Number(countText) === this.batchRecords && equalHex(expected, mac);
    this.#previous = expected;
    this.batchRecords = 0;
    this.#hmac = this.#start();
    return ok;
  }

  /** Feeds the HMAC the range still pending: call before the buffer it lies in may be reused. */
  endOfBuffer(): void {
    this.flushPending();
  }

  protected hashRange(range: ByteRange): void {
    this.#hmac.update(new Uint8Array(range.buffer as ArrayBuffer, range.start, range.end - range.start));
  }

  #start(): Hmac {
    return createHmac('sha256', this.#key).update(this.#previous).update('\n');
  }
}
