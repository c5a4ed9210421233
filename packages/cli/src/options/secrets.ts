import { read } from 'read';
import { cancelledError } from '@coffer/core';
import type { CliIo } from '../io.js';
import type { OptionSpec } from './option-specs.js';

/**
 * Fills secret options, which never have flags: from the environment variable the
 * schema names, else (when the matching file option was not given and stdin is a
 * terminal) from a prompt that does not echo. Returns the values, so every output
 * path can redact them.
 */
export async function fillSecrets(
  specs: readonly OptionSpec[],
  options: Record<string, unknown>,
  io: Pick<CliIo, 'env' | 'stdin' | 'stderr'>,
  label: string,
): Promise<string[]> {
  const values: string[] = [];
  for (const spec of specs) {
    if (!spec.secret) continue;
    const fromEnv = spec.secret.env ? io.env[spec.secret.env] : undefined;
    let value: string | undefined = fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
    const fileGiven = spec.secret.fileOption !== undefined && options[spec.secret.fileOption] !== undefined;
    if (value === undefined && !fileGiven && io.stdin.isTTY) value = await prompt(`${label} ${spec.property}: `, io);
    if (value !== undefined) {
      options[spec.property] = value;
      values.push(value);
    }
  }
  return values;
}

async function prompt(text: string, io: Pick<CliIo, 'stdin' | 'stderr'>): Promise<string | undefined> {
  try {
    const answer = await read({
      prompt: text,
      silent: true,
      replace: '',
      input: io.stdin,
      output: io.stderr as unknown as NodeJS.WritableStream,
      terminal: true,
    });
    // The typed line is not echoed, so neither is its newline.
    io.stderr.write('\n');
    return answer === '' ? undefined : String(answer);
  } catch (error) {
    // read rejects with 'canceled' on Ctrl-C at the prompt.
    if ((error as Error).message === 'canceled') throw cancelledError();
    throw error;
  }
}
