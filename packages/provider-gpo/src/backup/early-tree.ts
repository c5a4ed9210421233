import type { SysvolSource, SysvolTreeEntry } from '@coffer/active-directory';

/** Bytes of file content read ahead into memory before anyone asks for them; past this, the stream waits. */
export const READ_AHEAD_BYTES = 32 << 20;
/** What an entry read ahead costs beside its content (its record, path and chunk list), counted against the allowance. */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * A SYSVOL tree stream started before it is needed. Backing up every GPO streams the whole
 * Policies folder; starting smbclient while LDAP is still being read overlaps its connection,
 * authentication and a good part of the transfer with the LDAP searches. Until the entries are
 * taken, they are read ahead into memory (up to `readAheadBytes` of file content), so smbclient
 * keeps going instead of waiting on a full pipe; past that the stream's back-pressure holds it.
 */
export class EarlyTree {
  readonly path: string;
  readonly #iterator: AsyncIterator<SysvolTreeEntry>;
  /** Entries read ahead, their content in memory. */
  readonly #ahead: SysvolTreeEntry[] = [];
  #aheadBytes = 0;
  /** The entry the read-ahead stopped at, content unread (too large for what is left of the allowance). */
  #handedOver: SysvolTreeEntry | undefined;
  #done = false;
  #failure: { error: unknown } | undefined;
  #stopping = false;
  readonly #readingAhead: Promise<void>;
  readonly #readAheadBytes: number;
  #taken = false;

  constructor(sysvol: SysvolSource, path: string, readAheadBytes = READ_AHEAD_BYTES) {
    this.path = path;
    this.#readAheadBytes = readAheadBytes;
    this.#iterator = sysvol.readTree(path)[Symbol.asyncIterator]();
    // A failure (the folder is missing, the DC refused) is kept for whoever reads the entries.
    this.#readingAhead = this.#readAhead().catch((error: unknown) => {
      this.#failure = { error };
    });
  }

  async #readAhead(): Promise<void> {
    while (!this.#stopping) {
      const next = await this.#iterator.next();
      if (next.done) {
        this.#done = true;
        return;
      }
      const entry = next.value;
      if (entry.kind !== 'file' || entry.content === null) {
        this.#ahead.push(entry);
        continue;
      }
      if (this.#aheadBytes + entry.size > this.#readAheadBytes) {
        this.#handedOver = entry;
        return;
      }
      // Copied: a chunk is a view into the stream's read buffer (tar headers and padding, other files), and views
      // kept for thousands of small files kept every buffer the stream read. Each entry is counted with what it
      // costs beside its bytes, so a tree of many tiny files is bounded too (10,000 GPOs are 60,000 entries).
      const chunks: Uint8Array[] = [];
      this.#aheadBytes += ENTRY_OVERHEAD_BYTES;
      for await (const chunk of entry.content) {
        chunks.push(Buffer.from(chunk));
        this.#aheadBytes += chunk.length;
      }
      this.#ahead.push({ ...entry, content: replay(chunks) });
    }
  }

  /** The stream's entries, from the first; can be taken once. */
  async *entries(): AsyncGenerator<SysvolTreeEntry> {
    if (this.#taken) throw new Error(`The early SYSVOL stream of ${this.path} was already taken.`);
    this.#taken = true;
    // The read-ahead finishes the entry it is reading, then the consumer drives the stream itself.
    this.#stopping = true;
    await this.#readingAhead;
    try {
      // One at a time off the front, so an entry handed over is not kept by this list until the last one is.
      for (let entry = this.#ahead.shift(); entry !== undefined; entry = this.#ahead.shift()) yield entry;
      if (this.#failure) throw this.#failure.error;
      if (this.#handedOver) yield this.#handedOver;
      if (this.#done) return;
      for (let next = await this.#iterator.next(); !next.done; next = await this.#iterator.next()) yield next.value;
    } finally {
      await this.#iterator.return?.();
    }
  }

  /** Stops the stream when it turns out not to be needed (or the backup failed before reading it). */
  async cancel(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    this.#stopping = true;
    await this.#readingAhead;
    this.#ahead.length = 0;
    await this.#iterator.return?.().catch(() => undefined);
  }
}

async function* replay(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
}
