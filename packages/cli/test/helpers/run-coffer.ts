/**
 * Spawns the built `coffer` binary and collects what it printed. Every end-to-end test
 * (including the GPO providers' ones to come) goes through here:
 *
 *   const run = await runCoffer(['backup', 'gpo', '--dc', dc, '--out', dir, '--json'], { env: { COFFER_PASSWORD: pw } });
 *   expect(run.exitCode).toBe(0);
 *   expect(run.result?.status).toBe('succeeded');
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { COFFER_BIN } from './paths.js';

export interface CofferRunOptions {
  /** The process's working directory (default: the current one). */
  cwd?: string;
  /** Added to a clean environment (PATH and HOME kept; NO_COLOR set so output is plain). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Another binary, e.g. an isolated install of the CLI. */
  bin?: string;
  /** Kill the child after this long (default 60 s) and fail. */
  timeoutMs?: number;
}

export interface JsonLine {
  type: 'progress' | 'message' | 'result';
  [key: string]: unknown;
}

export interface CofferRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON lines when `--json` was given (throws if any line is not JSON). */
  lines: JsonLine[];
  /** The final `{"type":"result"}` line, when there is one. */
  result: (JsonLine & { status: string; exitCode: number; error?: Record<string, unknown> }) | undefined;
}

export interface RunningCoffer {
  child: ChildProcess;
  /** Resolves once stdout or stderr has printed something matching. */
  waitForOutput(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
  done: Promise<CofferRun>;
}

export function startCoffer(args: readonly string[], options: CofferRunOptions = {}): RunningCoffer {
  const child = spawn(process.execPath, [options.bin ?? COFFER_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; stream: 'stdout' | 'stderr' | undefined; resolve: () => void }> = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const text = waiter.stream === 'stdout' ? stdout : waiter.stream === 'stderr' ? stderr : `${stdout}\n${stderr}`;
      if (waiter.pattern.test(text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  child.stdin!.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const done = new Promise<CofferRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `coffer ${args.join(' ')} did not finish within ${timeoutMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const json = args.includes('--json');
      const lines = json ? parseJsonLines(stdout) : [];
      const last = lines.at(-1);
      resolve({
        exitCode,
        signal,
        stdout,
        stderr,
        lines,
        result: last?.type === 'result' ? (last as CofferRun['result']) : undefined,
      });
    });
  });
  return {
    child,
    done,
    waitForOutput: (pattern, stream) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, stream, resolve });
        check();
        done.then(
          () => reject(new Error(`coffer ended before printing ${pattern}.\nstdout: ${stdout}\nstderr: ${stderr}`)),
          reject,
        );
      }),
  };
}

export function runCoffer(args: readonly string[], options: CofferRunOptions = {}): Promise<CofferRun> {
  return startCoffer(args, options).done;
}

/** Every line of stdout must be one JSON object with a known type: JSON mode prints nothing else there. */
export function parseJsonLines(stdout: string): JsonLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, index) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`stdout line ${index + 1} is not JSON: ${line}`);
      }
      const type = (value as { type?: unknown }).type;
      if (type !== 'progress' && type !== 'message' && type !== 'result')
        throw new Error(`stdout line ${index + 1} has no known type: ${line}`);
      return value as JsonLine;
    });
}

function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT'])
    if (process.env[name] !== undefined) env[name] = process.env[name]!;
  env.NO_COLOR = '1';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
