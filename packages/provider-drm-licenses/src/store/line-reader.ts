import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;

export interface LineReadSummary {
  /** Bytes read from the file (at most the limit). */
  bytesRead: number;
  /** Bytes after the last newline: a torn last line. */
  trailingBytes: number;
}

/**
 * Receives the lines of a file as ranges of its read buffers, so a hot loop allocates
 * nothing per line. Read buffers are never reused: a visitor may keep views into them.
 */
export interface LineRangeVisitor {
  /** The line is `buffer[start, end)`; `buffer[end]` is its newline. */
  line(buffer: Buffer, start: number, end: number): void | Promise<void>;
  /** After the last complete line of a read buffer, before the next read. */
  bufferDone?(buffer: Buffer): void | Promise<void>;
}

/**
 * Visits every `\n`-terminated line in the first `byteLimit` bytes of a file, reading
 * `chunkBytes` at a time (a line longer than that grows the next read). Memory stays at
 * one read buffer plus whatever the visitor keeps.
 */
export async function forEachLineRange(
  path: string,
  byteLimit: number,
  visitor: LineRangeVisitor,
  chunkBytes = CHUNK_BYTES,
): Promise<LineReadSummary> {
  const handle = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    while (position < byteLimit) {
      const size = Math.max(chunkBytes, carry.length * 2);
      const buffer = Buffer.allocUnsafe(size);
      carry.copy(buffer, 0);
      const want = Math.min(size - carry.length, byteLimit - position);
      const { bytesRead } = await handle.read(buffer, carry.length, want, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const filled = buffer.subarray(0, carry.length + bytesRead);
      let start = 0;
      for (let newline = filled.indexOf(10, start); newline !== -1; newline = filled.indexOf(10, start)) {
        const pending = visitor.line(filled, start, newline);
        if (pending) await pending;
        start = newline + 1;
      }
      const done = visitor.bufferDone?.(filled);
      if (done) await done;
      carry = filled.subarray(start);
    }
    return { bytesRead: position, trailingBytes: carry.length };
  } finally {
    await handle.close();
  }
}

/**
 * Calls `onLine` for every `\n`-terminated line in the first `byteLimit` bytes of a file,
 * in 1 MiB reads. The byte after each line view is its newline. Each line is a view into
 * a buffer that is never reused, so a consumer may keep it without copying.
 */
export async function forEachLine(
  path: string,
  byteLimit: number,
  onLine: (line: Buffer) => void | Promise<void>,
): Promise<LineReadSummary> {
  return forEachLineRange(path, byteLimit, { line: (buffer, start, end) => onLine(buffer.subarray(start, end)) });
}
