import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 20;

export interface LineReadSummary {
  /** Bytes read from the file (at most the limit). */
  bytesRead: number;
  /** Bytes after the last newline: a torn last line. */
  trailingBytes: number;
}

/**
 * Calls `onLine` for every `\n`-terminated line in the first `byteLimit` bytes of a file,
 * in 1 MiB reads. The byte after each line view is its newline. Each line is a view into a buffer that is never reused, so a consumer
 * may keep it (e.g. queue it for writing) without copying. Memory stays at one chunk
 * plus whatever the consumer keeps.
 */
export async function forEachLine(
  path: string,
  byteLimit: number,
  onLine: (line: Buffer) => void | Promise<void>,
): Promise<LineReadSummary> {
  const handle = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    while (position < byteLimit) {
      const size = Math.max(CHUNK_BYTES, carry.length * 2);
      const buffer = Buffer.allocUnsafe(size);
      carry.copy(buffer, 0);
      const want = Math.min(size - carry.length, byteLimit - position);
      const { bytesRead } = await handle.read(buffer, carry.length, want, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const filled = buffer.subarray(0, carry.length + bytesRead);
      let start = 0;
      for (let newline = filled.indexOf(10, start); newline !== -1; newline = filled.indexOf(10, start)) {
        const pending = onLine(filled.subarray(start, newline));
        if (pending) await pending;
        start = newline + 1;
      }
      carry = filled.subarray(start);
    }
    return { bytesRead: position, trailingBytes: carry.length };
  } finally {
    await handle.close();
  }
}
