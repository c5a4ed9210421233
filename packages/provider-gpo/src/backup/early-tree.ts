import type { SysvolSource, SysvolTreeEntry } from '@coffer/active-directory';

/**
 * A SYSVOL tree stream started before it is needed. Backing up every GPO streams the whole
 * Policies folder; starting smbclient while LDAP is still being read overlaps its connection,
 * authentication and first listings (a good part of the transfer) with the LDAP searches. Only the
 * first entry is asked for; the rest waits in the stream (the tar pipe's back-pressure holds smbclient).
 */
export class EarlyTree {
  readonly path: string;
  readonly #iterator: AsyncIterator<SysvolTreeEntry>;
  #first: Promise<IteratorResult<SysvolTreeEntry>> | undefined;
  #taken = false;

  constructor(sysvol: SysvolSource, path: string) {
    this.path = path;
    this.#iterator = sysvol.readTree(path)[Symbol.asyncIterator]();
    this.#first = this.#iterator.next();
    // A failure (the folder is missing, the DC refused) is thrown to whoever reads the entries.
    this.#first.catch(() => undefined);
  }

  /** The stream's entries, from the first; can be taken once. */
  async *entries(): AsyncGenerator<SysvolTreeEntry> {
    if (this.#taken) throw new Error(`The early SYSVOL stream of ${this.path} was already taken.`);
    this.#taken = true;
    const first = this.#first!;
    this.#first = undefined;
    try {
      for (let next = await first; !next.done; next = await this.#iterator.next()) yield next.value;
    } finally {
      await this.#iterator.return?.();
    }
  }

  /** Stops the stream when it turns out not to be needed (or the backup failed before reading it). */
  async cancel(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    await this.#first?.catch(() => undefined);
    await this.#iterator.return?.().catch(() => undefined);
  }
}
