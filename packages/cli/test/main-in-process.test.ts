import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main, type CliIo } from '../src/index.js';
import { fixtureProvider } from './helpers/paths.js';

/** main() driven in-process, as a wrapper or another tool would, with its own streams. */
function fakeIo(overrides: Partial<CliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const io: Partial<CliIo> = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: new PassThrough(),
    env: { NO_COLOR: '1' },
    ...overrides,
  };
  return { io, out: () => stdout, err: () => stderr };
}

describe('main(argv, io) in-process', () => {
  it('returns the exit code instead of exiting, and writes to the streams it is given', async () => {
    const { io, out } = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(out()).toMatch(/^\d+\.\d+\.\d+\n$/);

    const bad = fakeIo();
    expect(await main(['verify'], bad.io)).toBe(2);
    expect(bad.err()).toContain("missing required argument 'dir'");
  });

  it('cancels the running operation when io.signal aborts (exit 130)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-in-process-'));
    try {
      const controller = new AbortController();
      const { io, out } = fakeIo({ signal: controller.signal, cwd: dir });
      const running = main(
        [
          '--provider',
          fixtureProvider('slow-provider.mjs'),
          'backup',
          'slow',
          '--files',
          '20',
          '--delay-ms',
          '100',
          '--out',
          dir,
          '--json',
        ],
        io,
      );
      await new Promise((resolve) => setTimeout(resolve, 600));
      controller.abort();
      expect(await running).toBe(130);
      const last = JSON.parse(out().trim().split('\n').at(-1)!) as { type: string; status: string };
      expect(last).toMatchObject({ type: 'result', status: 'cancelled' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('colours output only when wanted: never with NO_COLOR, even on a terminal', async () => {
    const tty = (sink: { text: string }) => ({
      isTTY: true,
      columns: 100,
      write: (text: string) => (sink.text += text),
    });
    const plain = { text: '' };
    await main(['backup', 'nope', '--out', '.'], { ...fakeIo().io, stderr: tty(plain), env: { NO_COLOR: '1' } });
    expect(plain.text).toContain("Unknown provider 'nope'");
    expect(plain.text).not.toContain('\u001b[');

    const coloured = { text: '' };
    await main(['backup', 'nope', '--out', '.'], { ...fakeIo().io, stderr: tty(coloured), env: {} });
    expect(coloured.text).toContain('\u001b[31merror:');

    const flagged = { text: '' };
    await main(['backup', 'nope', '--out', '.', '--no-color'], { ...fakeIo().io, stderr: tty(flagged), env: {} });
    expect(flagged.text).not.toContain('\u001b[');
  });
});
