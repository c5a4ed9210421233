/**
 * Everything the CLI touches outside itself, so `main()` can run in-process (tests,
 * wrappers) as well as from the `coffer` binary.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface InputStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: Record<string, string | undefined>;
  /** The process's working directory: relative paths on the command line resolve from here. */
  cwd: string;
  /** Aborting it cancels the running operation (the binary wires Ctrl-C to it). */
  signal?: AbortSignal;
}

/**
 * A reader that goes away (`coffer backup … --json | head -1`, a closed terminal, a full disk under a redirect)
 * must not take the work with it: Node reports a failed write as an 'error' event on the stream, and one nobody
 * listens to ends the process at once, mid-backup, with the destination still locked. So a failed write to
 * stdout or stderr only stops output to that stream (Node then drops later writes); the operation finishes or
 * cancels as it would have, releases its lock, and the exit code still says what it did.
 */
const quieted = new WeakSet<NodeJS.WritableStream>();
export function endOutputQuietlyOnClose(stream: NodeJS.WritableStream): void {
  if (quieted.has(stream)) return;
  quieted.add(stream);
  stream.on('error', () => undefined);
}

export function defaultIo(overrides: Partial<CliIo> = {}): CliIo {
  if (overrides.stdout === undefined) endOutputQuietlyOnClose(process.stdout);
  if (overrides.stderr === undefined) endOutputQuietlyOnClose(process.stderr);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...overrides,
  };
}
