import { open } from 'node:fs/promises';
import type { BufferPool } from './buffer-pool.js';

const CHUNK_BYTES = 1 << 20;

/** Spare room before each read, where the previous read's torn last line is copied. */
function roomFor(chunkBytes: number): number {
  return Math.max(256, chunkBytes >>> 4);
}

/** The size of one read buffer for reads of `chunkBytes`: what a {@link BufferPool} given to {@link forEachLineRange} must hand out. */
export function lineReadBufferBytes(chunkBytes: number): number {
  return roomFor(chunkBytes) + chunkBytes;
}

export interface LineReadSummary {
  /** Bytes read from the file (at most the limit). */
  bytesRead: number;
  /** Bytes after the last newline: a torn last line. */
  trailingBytes: number;
}

/**
 * Receives the lines of a file as ranges of its read buffers, so a hot loop allocates
 * nothing per line. Without a pool, read buffers are never reused and a visitor may keep views
 * into them; with one, a view kept beyond `bufferDone` must be retained in the pool.
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
 * than that room is joined with a copy. Memory stays at two read buffers (three for a moment,
 * until the carry is copied) plus whatever the visitor keeps.
 *
 * With a `pool`, read buffers come from it and go back once the scan has moved past them; a
 * visitor that keeps a view beyond `bufferDone` must retain it in the pool (and release it later).
 */
export async function forEachLineRange(
  path: string,
  byteLimit: number,
  visitor: LineRangeVisitor,
  chunkBytes = CHUNK_BYTES,
  pool?: BufferPool,
): Promise<LineReadSummary> {
  const room = roomFor(chunkBytes);
  if (pool !== undefined && pool.bufferBytes !== room + chunkBytes) {
    throw new RangeError(
      `A pool for reads of ${chunkBytes} bytes must hand out buffers of ${room + chunkBytes} bytes.`,
    );
  }
  const handle = await open(path, 'r');
  const readAt = (position: number): Promise<{ buffer: Buffer; bytesRead: number }> | undefined => {
    const want = Math.min(chunkBytes, byteLimit - position);
    if (want <= 0) return undefined;
    const buffer = pool?.acquire() ?? Buffer.allocUnsafe(room + want);
    return handle.read(buffer, room, want, position).then(
      ({ bytesRead }) => ({ buffer, bytesRead }),
      (error: unknown) => {
        pool?.release(buffer);
        throw error;
      },
    );
  };
  let next = readAt(0);
  // The read buffer whose lines are being visited (and whose torn end is the carry).
  let current: Buffer | undefined;
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    while (next !== undefined) {
      const { buffer, bytesRead } = await next;
      next = undefined;
      const previous = current;
      current = buffer;
      if (bytesRead === 0) {
        if (previous !== undefined) pool?.release(previous);
        break;
      }
      position += bytesRead;
      next = readAt(position);
      let filled: Buffer;
      if (carry.length <= room) {
        carry.copy(buffer, room - carry.length);
        filled = buffer.subarray(room - carry.length, room + bytesRead);
      } else {
        filled = Buffer.concat([carry, buffer.subarray(room, room + bytesRead)]);
      }
      // The carry was the last thing the scan needed from the previous buffer.
      if (previous !== undefined) pool?.release(previous);
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
    const pending = await next?.catch(() => undefined);
    if (pool !== undefined) {
      if (current !== undefined) pool.release(current);
      if (pending !== undefined) pool.release(pending.buffer);
    }
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
