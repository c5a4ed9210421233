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

export function defaultIo(overrides: Partial<CliIo> = {}): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...overrides,
  };
}
