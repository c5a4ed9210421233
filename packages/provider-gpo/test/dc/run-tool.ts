import { spawn } from 'node:child_process';

/** Runs a Samba tool for a test, failing with its output when it fails. */
export function runTool(program: string, args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ stdout: Buffer.concat(out).toString('utf8') })
        : reject(
            new Error(`${program} ${args[0]} failed (${code}): ${Buffer.concat(err).toString('utf8').slice(-500)}`),
          ),
    );
  });
}
