import { describe, expect, test } from 'vitest';
import { WritePool } from '../../src/backup/write-pool.js';

/** A task the test finishes by hand. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

describe('WritePool', () => {
  test('never runs more than its limit at once, and drain waits for all', async () => {
    const pool = new WritePool(3);
    let running = 0;
    let most = 0;
    let finished = 0;
    for (let i = 0; i < 20; i += 1) {
      await pool.run(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running -= 1;
        finished += 1;
      });
    }
    await pool.drain();
    expect(most).toBe(3);
    expect(finished).toBe(20);
  });

  test('waits while the held bytes would pass the budget, but always lets one task run', async () => {
    const pool = new WritePool(10, 100);
    const first = gate();
    await pool.run(() => first.done, 80);
    let secondStarted = false;
    const second = pool.run(async () => {
      secondStarted = true;
    }, 30);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(secondStarted).toBe(false);
    first.open();
    await second;
    await pool.drain();
    expect(secondStarted).toBe(true);
    // A task larger than the whole budget still runs when nothing else is held.
    let hugeRan = false;
    await pool.run(async () => {
      hugeRan = true;
    }, 1000);
    await pool.drain();
    expect(hugeRan).toBe(true);
  });

  test('the first failure is thrown by the next run and by drain; settle waits without throwing', async () => {
    const pool = new WritePool(2);
    const failing = gate();
    const slow = gate();
    await pool.run(() => failing.done);
    await pool.run(() => slow.done);
    failing.fail(new Error('disk full'));
    await expect(pool.run(async () => undefined)).rejects.toThrow('disk full');
    let settled = false;
    const settling = pool.settle().then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    slow.open();
    await settling;
    await expect(pool.drain()).rejects.toThrow('disk full');
  });
});
