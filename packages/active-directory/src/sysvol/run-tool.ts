import { spawn } from 'node:child_process';
import { CofferError, HRESULT } from '@coffer/core';
import { AdErrorCode } from '../errors.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Runs a Samba tool without a shell; never passes secrets in `args`. Missing tools become a clear error. */
export function runTool(
  program: string,
  args: readonly string[],
  options: { object: string; input?: Buffer | string; timeoutMs?: number; allowFailure?: boolean; env?: NodeJS.ProcessEnv },
): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (error) => {
      clearTimeout(timer);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new CofferError(missing ? AdErrorCode.ToolMissing : AdErrorCode.SmbFailed, missing ? `${program} is not installed.` : `${program} could not be started: ${error.message}`, {
          hresult: missing ? HRESULT.ERROR_FILE_NOT_FOUND : HRESULT.E_FAIL,
          object: program,
          hint: missing ? 'Install Samba’s client tools: apt-get install smbclient samba-common-bin' : undefined,
          cause: error,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code };
      if (code === 0 || options.allowFailure) return resolvePromise(result);
      reject(
        new CofferError(AdErrorCode.SmbFailed, `${program} failed on ${options.object} (${signal ? `killed by ${signal}` : `exit ${code}`}): ${(result.stderr || result.stdout).trim().slice(-800)}`, {
          hresult: HRESULT.E_FAIL,
          object: options.object,
        }),
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
