// Temp folders and tree snapshots come from @coffer/test-support, the one implementation all packages' tests share.
export { snapshotTree, tempDir } from '@coffer/test-support';

export async function* slowChunks(chunks: number, size: number, delayMs = 0): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks; i++) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    yield Buffer.alloc(size, i % 256);
  }
}
