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
 * `chunkBytes` at a time. The next read is already under way while the visitor works
 * through the current one (the read runs on libuv's pool, the scan on this thread). A read
 * lands after some spare room at the front of its buffer, where the torn last line of the
 * previous read is copied, so a line is always one range of one buffer; a torn line longer
 * than that room is joined with a copy. Memory stays at two read buffers plus whatever the
 * visitor keeps.
 */
export async function forEachLineRange(
  path: string,
  byteLimit: number,
  visitor: LineRangeVisitor,
  chunkBytes = CHUNK_BYTES,
): Promise<LineReadSummary> {
  const room = Math.max(256, chunkBytes >>> 4);
  const handle = await open(path, 'r');
  const readAt = (position: number): Promise<{ buffer: Buffer; bytesRead: number }> | undefined => {
    const want = Math.min(chunkBytes, byteLimit - position);
    if (want <= 0) return undefined;
    const buffer = Buffer.allocUnsafe(room + want);
    return handle.read(buffer, room, want, position).then(({ bytesRead }) => ({ buffer, bytesRead }));
  };
  let next = readAt(0);
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    while (next !== undefined) {
      const { buffer, bytesRead } = await next;
      next = undefined;
      if (bytesRead === 0) break;
      position += bytesRead;
      next = readAt(position);
      let filled: Buffer;
      if (carry.length <= room) {
        carry.copy(buffer, room - carry.length);
        filled = buffer.subarray(room - carry.length, room + bytesRead);
      } else {
        filled = Buffer.concat([carry, buffer.subarray(room, room + bytesRead)]);
      }
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
    // A read still under way (the visitor threw) finishes before the file is closed.
    await next?.catch(() => undefined);
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
