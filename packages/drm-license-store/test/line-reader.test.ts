import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferPool } from '../src/io/buffer-pool.js';
import { forEachLineRange, lineReadBufferBytes } from '../src/io/line-reader.js';
import { createWorld, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

describe('reading lines as ranges', () => {
  it('finds every line across small reads, grows the read for a long line, and reports a torn end', async () => {
    // With 16-byte reads the spare room before each read is 256 bytes: the 1,000-byte line is joined by copying.
    const lines = [
      'a',
      '',
      'a line longer than one read of sixteen bytes',
      'b\tc',
      'x'.repeat(40),
      'y'.repeat(1000),
      'last',
    ];
    const path = join(world.root, 'lines.txt');
    await writeFile(path, `${lines.join('\n')}\ntorn`);
    const seen: string[] = [];
    let buffers = 0;
    const summary = await forEachLineRange(
      path,
      Number.MAX_SAFE_INTEGER,
      {
        line: (buffer, start, end) => {
          expect(buffer[end]).toBe(0x0a);
          seen.push(buffer.toString('utf8', start, end));
        },
        bufferDone: () => {
          buffers += 1;
        },
      },
      16,
    );
    expect(seen).toEqual(lines);
    expect(buffers).toBeGreaterThan(3);
    expect(summary).toEqual({ bytesRead: (await readFile(path)).length, trailingBytes: 4 });
  });

  it('with a pool, reuses a few read buffers for a file of many reads and returns them all, also when the visitor throws', async () => {
    const path = join(world.root, 'many.txt');
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${'z'.repeat(i % 37)}`);
    await writeFile(path, `${lines.join('\n')}\n`);
    const pool = new BufferPool(lineReadBufferBytes(64));
    const seen: string[] = [];
    let mostHeld = 0;
    const summary = await forEachLineRange(
      path,
      Number.MAX_SAFE_INTEGER,
      {
        line: (buffer, start, end) => void seen.push(buffer.toString('utf8', start, end)),
        bufferDone: () => void (mostHeld = Math.max(mostHeld, pool.held)),
      },
      64,
      pool,
    );
    expect(seen).toEqual(lines);
    expect(summary.bytesRead).toBeGreaterThan(64 * 500);
    // The buffer being scanned, the next read, and (until its carry is copied) the previous one.
    expect(mostHeld).toBeLessThanOrEqual(3);
    expect(pool.created).toBeLessThanOrEqual(3);
    expect(pool.held).toBe(0);

    let visited = 0;
    await expect(
      forEachLineRange(
        path,
        Number.MAX_SAFE_INTEGER,
        {
          line: () => {
            visited += 1;
            if (visited === 700) throw new Error('visitor failed');
          },
        },
        64,
        pool,
      ),
    ).rejects.toThrow('visitor failed');
    expect(pool.held).toBe(0);
    await expect(forEachLineRange(path, 10, { line: () => undefined }, 32, pool)).rejects.toThrow(RangeError);
  });

  it('stops at the byte limit', async () => {
    const path = join(world.root, 'limit.txt');
    await writeFile(path, 'one\ntwo\nthree\n');
    const seen: string[] = [];
    const summary = await forEachLineRange(
      path,
      8,
      { line: (buffer, start, end) => void seen.push(buffer.toString('utf8', start, end)) },
      4,
    );
    expect(seen).toEqual(['one', 'two']);
    expect(summary).toEqual({ bytesRead: 8, trailingBytes: 0 });
  });
});
