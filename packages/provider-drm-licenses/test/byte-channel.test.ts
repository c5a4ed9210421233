import { describe, expect, it } from 'vitest';
import { ByteChannel } from '../src/io/byte-channel.js';

describe('byte channel', () => {
  it('delivers bytes in order and holds a fast producer back', async () => {
    const channel = new ByteChannel(8, 16);
    let blocked = 0;
    const produce = (async () => {
      for (let i = 0; i < 50; i += 1) {
        const wait = channel.push(Buffer.from(`${i},`));
        if (wait) {
          blocked += 1;
          await wait;
        }
      }
      channel.end();
    })();
    const parts: string[] = [];
    for await (const chunk of channel) parts.push(Buffer.concat(chunk).toString());
    await produce;
    expect(parts.join('')).toBe(Array.from({ length: 50 }, (_, i) => `${i},`).join(''));
    expect(blocked).toBeGreaterThan(0);
  });

  it('a failure reaches both sides', async () => {
    const channel = new ByteChannel(4, 4);
    const wait = channel.push(Buffer.from('12345'));
    channel.fail(new Error('disk full'));
    await expect(wait).rejects.toThrow('disk full');
    await expect(
      (async () => {
        for await (const _ of channel) void _;
      })(),
    ).rejects.toThrow('disk full');
    expect(() => channel.push(Buffer.from('x'))).toThrow('disk full');
  });
});
