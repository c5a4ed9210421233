import type { SysvolTreeEntry } from '@coffer/active-directory';

/**
 * A streamed SYSVOL file's bytes, whole (read before the stream moves on to the next entry), copied once: the chunks
 * are views into the stream's read buffers, which the one copy lets go (a copy of each chunk, then of them all, made
 * every file's bytes twice over in garbage).
 */
export async function collect(found: SysvolTreeEntry): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of found.content ?? emptyContent()) {
    chunks.push(chunk);
    length += chunk.length;
  }
  return Buffer.concat(chunks, length);
}

/** Skips a streamed file's bytes, so the stream can move on. */
export async function drain(found: SysvolTreeEntry): Promise<void> {
  if (found.content) for await (const _chunk of found.content) void _chunk;
}

/** Passes a stream through, keeping a copy of its chunks in `keep` when given. */
export async function* tee(content: AsyncIterable<Uint8Array>, keep: Buffer[] | null): AsyncGenerator<Uint8Array> {
  for await (const chunk of content) {
    if (keep) keep.push(Buffer.from(chunk));
    yield chunk;
  }
}

export async function* emptyContent(): AsyncGenerator<Uint8Array> {}
