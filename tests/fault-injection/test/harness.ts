/**
 * Runs the real `coffer` CLI (packages/cli/dist/bin.js) as a child and kills it with SIGKILL: after a
 * delay chosen by the test, or at a precise commit step through the engine's own fault hook
 * (COFFER_FAULT_AT=commit:<step>:<n>, read by @coffer/core's BackupDestination only), and looks at
 * what the kill left behind.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
export const COFFER_BIN = join(dirname(require.resolve('@coffer/cli/package.json')), 'dist', 'bin.js');

export interface JsonLine {
  type: 'progress' | 'message' | 'result';
  [key: string]: unknown;
}

export interface CofferRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** This harness sent the SIGKILL (a delay kill); a fault-hook kill shows as signal SIGKILL without it. */
  killedByUs: boolean;
  stdout: string;
  stderr: string;
  lines: JsonLine[];
  result: (JsonLine & { status: string; exitCode: number }) | undefined;
  /** Milliseconds from spawn to exit. */
  durationMs: number;
  /** Milliseconds from spawn to each JSON line, by index in `lines`. */
  lineTimes: number[];
}

export interface RunOptions {
  env: Record<string, string>;
  cwd: string;
  /** SIGKILL the child this long after spawning it (if it is still running). */
  killAfterMs?: number;
  /** COFFER_FAULT_AT for the child: it SIGKILLs itself at that commit step. */
  faultAt?: string;
  timeoutMs?: number;
}

export function runCoffer(args: readonly string[], options: RunOptions): Promise<CofferRun> {
  const started = performance.now();
  const env: Record<string, string> = { ...options.env, NO_COLOR: '1' };
  if (options.faultAt) env.COFFER_FAULT_AT = options.faultAt;
  const child = spawn(process.execPath, [COFFER_BIN, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: JsonLine[] = [];
  const lineTimes: number[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as JsonLine);
        lineTimes.push(performance.now() - started);
      } catch {
        // A line cut by the kill is no line.
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let killedByUs = false;
  const killer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            killedByUs = true;
            child.kill('SIGKILL');
          }
        }, options.killAfterMs);
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      clearTimeout(timeout);
      const last = lines.at(-1);
      resolve({
        exitCode,
        signal,
        killedByUs,
        stdout,
        stderr,
        lines,
        result: last?.type === 'result' ? (last as CofferRun['result']) : undefined,
        durationMs: performance.now() - started,
        lineTimes,
      });
    });
  });
}

/** Names the engine leaves only while it works (staging, old copies, journal, temp files, locks), found anywhere in `dir`'s top level. */
export async function engineLeftovers(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith('.coffer') || name.endsWith('.tmp'));
}

/** How many of each value `key` gives, e.g. backups per run comment. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
