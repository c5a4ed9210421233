import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;

/** Size field of a tar header: octal text, or GNU base-256 when the top bit of the first byte is set. */
function headerSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field.toString('ascii').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/**
 * Passes a tar stream through up to its end-of-archive marker (two zero blocks) and drops the rest.
 * smbclient -Tc prints "tar: dumped N files…" to stdout right after the archive, which a strict parser
 * reads as a truncated block. Headers are followed block by block, so zero blocks inside file data are kept.
 */
export class TarArchiveEnd extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  #dataBlocksLeft = 0;
  #zeroHeaders = 0;
  #ended = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#ended) {
      callback();
      return;
    }
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let offset = 0;
    while (!this.#ended && this.#pending.length - offset >= BLOCK) {
      if (this.#dataBlocksLeft > 0) {
        // Pass whole runs of data blocks at once.
        const blocks = Math.min(this.#dataBlocksLeft, Math.floor((this.#pending.length - offset) / BLOCK));
        offset += blocks * BLOCK;
        this.#dataBlocksLeft -= blocks;
        continue;
      }
      const block = this.#pending.subarray(offset, offset + BLOCK);
      offset += BLOCK;
      if (block.every((b) => b === 0)) {
        this.#zeroHeaders += 1;
        if (this.#zeroHeaders === 2) this.#ended = true;
        continue;
      }
      this.#zeroHeaders = 0;
      this.#dataBlocksLeft = Math.ceil(headerSize(block) / BLOCK);
    }
    // What was passed is the first `offset` bytes, as they came: passed as a view, not copied (a copy of each chunk
    // was as much garbage outside the heap as the archive itself).
    if (offset > 0) this.push(this.#pending.subarray(0, offset));
    this.#pending = this.#pending.subarray(offset);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A stream cut mid-block is passed on as is, so the parser reports the truncation.
    if (!this.#ended && this.#pending.length > 0) this.push(this.#pending);
    callback();
  }

  /** True once the end-of-archive marker went through. */
  get complete(): boolean {
    return this.#ended;
  }
}
