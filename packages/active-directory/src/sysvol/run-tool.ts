import { spawn, type ChildProcess } from 'node:child_process';
import { CofferError, HRESULT, childEnvironment } from '@coffer/core';
import { AdErrorCode } from '../errors.js';

/** The descriptor a Samba tool reads the password from (PASSWD_FD): stdin stays free for a tar stream or an SDDL. */
const PASSWORD_FD = 3;

/**
 * Samba 4.17's smbclient and smbcacls read PASSWD_FD more than once while parsing their options: the first read
 * takes the password, a later one finds the pipe at its end and prints this, harmlessly (the password read first
 * is the one used). It is dropped from what is shown to the user.
 */
const SPURIOUS_PASSWORD_LINE = /^Error reading password from file descriptor \d+: empty password\r?\n?/gm;

export function withoutPasswordNoise(stderr: string): string {
  return stderr.replace(SPURIOUS_PASSWORD_LINE, '');
}

export interface SpawnToolOptions {
  stdin?: 'ignore' | 'pipe';
  /**
   * Handed to the tool through a pipe on descriptor 3 (the environment names only the number: PASSWD_FD=3), so it
   * is never in a file, in argv (/proc/<pid>/cmdline) or in the environment (/proc/<pid>/environ).
   */
  password?: string;
  /** Variables added to the tool's environment (never a secret): `TZ=UTC` for listings whose times are printed. */
  environment?: Record<string, string>;
}

/**
 * Starts a tool without a shell, with {@link childEnvironment} (no COFFER_* secret, no stray PASSWD*). stdout and
 * stderr are pipes; stdin as asked.
 */
export function spawnTool(program: string, args: readonly string[], options: SpawnToolOptions = {}): ChildProcess {
  const password = options.password;
  const stdio: Array<'ignore' | 'pipe'> = [options.stdin ?? 'pipe', 'pipe', 'pipe'];
  if (password !== undefined) stdio[PASSWORD_FD] = 'pipe';
  const child = spawn(program, args, {
    stdio,
    env: childEnvironment({
      ...options.environment,
      ...(password === undefined ? {} : { PASSWD_FD: String(PASSWORD_FD) }),
    }),
  });
  if (password !== undefined) {
    const pipe = child.stdio[PASSWORD_FD] as NodeJS.WritableStream & {
      on(event: 'error', listener: () => void): unknown;
    };
    // A tool that exits before reading (not installed, bad arguments) closes its end: that is not our error.
    pipe.on('error', () => undefined);
    // The line break ends Samba's read at the password; a pipe's contents live only in kernel memory.
    pipe.end(`${password}\n`);
  }
  return child;
}

export interface ToolResult {
  stdout: string;
  /** stdout as bytes (a file fetched with `get … -`). */
  stdoutBytes: Buffer;
  stderr: string;
  exitCode: number | null;
}

/** Runs a Samba tool without a shell; never passes secrets in `args`. Missing tools become a clear error. */
export function runTool(
  program: string,
  args: readonly string[],
  options: {
    object: string;
    input?: Buffer | string;
    timeoutMs?: number;
    allowFailure?: boolean;
    password?: string;
    environment?: Record<string, string>;
  },
): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnTool(program, args, {
      stdin: 'pipe',
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(options.environment === undefined ? {} : { environment: options.environment }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', (error) => {
      clearTimeout(timer);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new CofferError(
          missing ? AdErrorCode.ToolMissing : AdErrorCode.SmbFailed,
          missing ? `${program} is not installed.` : `${program} could not be started: ${error.message}`,
          {
            hresult: missing ? HRESULT.ERROR_FILE_NOT_FOUND : HRESULT.E_FAIL,
            object: program,
            hint: missing ? 'Install Samba’s client tools: apt-get install smbclient samba-common-bin' : undefined,
            cause: error,
          },
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const result = {
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: withoutPasswordNoise(Buffer.concat(err).toString('utf8')),
        exitCode: code,
      };
      if (code === 0 || options.allowFailure) return resolvePromise(result);
      reject(
        new CofferError(
          AdErrorCode.SmbFailed,
          `${program} failed on ${options.object} (${signal ? `killed by ${signal}` : `exit ${code}`}): ${(result.stderr || result.stdout).trim().slice(-800)}`,
          {
            hresult: HRESULT.E_FAIL,
            object: options.object,
          },
        ),
      );
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(options.input ?? '');
  });
}
