import { readFile, stat } from 'node:fs/promises';
import { CofferError, HRESULT, invalidArgument } from '@coffer/core';
import { AdErrorCode } from '../errors.js';
import { Secret } from './secret.js';

/** Who to bind as, with the password kept in a {@link Secret}. */
export interface Credentials {
  user: string;
  domain: string;
  password: Secret;
  /** Where the password came from (never the password itself). */
  source: 'file' | 'environment' | 'prompt' | 'value';
}

/** A TTY-like input: process.stdin in real use, a fake in tests. */
export interface PromptInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface ReadCredentialsOptions {
  user: string;
  /** DNS or NetBIOS domain. Optional when `user` already says it (`user@domain` or `DOMAIN\user`). */
  domain?: string;
  /** File whose first line is the password (trailing CR/LF stripped). */
  passwordFile?: string;
  /** Environment variable holding the password. Default `COFFER_PASSWORD`; `false` disables it. */
  passwordEnv?: string | false;
  /** Ask on the terminal (no echo) when neither file nor variable gives a password. Default: true when stdin is a TTY. */
  prompt?: boolean;
  /** Overrides for tests. */
  env?: NodeJS.ProcessEnv;
  input?: PromptInput;
  output?: NodeJS.WritableStream;
  /** Receives warnings (a password file others can read). Default: stderr. */
  warn?: (message: string) => void;
}

/** Splits `user@domain` / `DOMAIN\user`; an explicit domain wins. */
export function splitAccount(user: string, domain?: string): { user: string; domain: string } {
  const backslash = user.indexOf('\\');
  if (backslash > 0) return { user: user.slice(backslash + 1), domain: domain ?? user.slice(0, backslash) };
  const at = user.lastIndexOf('@');
  if (at > 0) return { user: user.slice(0, at), domain: domain ?? user.slice(at + 1) };
  if (!domain)
    throw invalidArgument(`No domain for user ${user}: give --domain or write the user as user@domain.`, {
      object: user,
    });
  return { user, domain };
}

/** Reads the password from a file, the environment or the terminal, in that order. */
export async function readCredentials(options: ReadCredentialsOptions): Promise<Credentials> {
  const { user, domain } = splitAccount(options.user, options.domain);
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  if (options.passwordFile !== undefined) {
    return { user, domain, password: await readPasswordFile(options.passwordFile, warn), source: 'file' };
  }
  const envName = options.passwordEnv === undefined ? 'COFFER_PASSWORD' : options.passwordEnv;
  const env = options.env ?? process.env;
  if (envName !== false && env[envName] !== undefined && env[envName] !== '') {
    return { user, domain, password: new Secret(env[envName] as string), source: 'environment' };
  }
  const input = options.input ?? process.stdin;
  const mayPrompt = options.prompt ?? input.isTTY === true;
  if (mayPrompt) {
    if (input.isTTY !== true) {
      throw new CofferError(
        AdErrorCode.CredentialsMissing,
        'Cannot prompt for the password: standard input is not a terminal.',
        {
          hresult: HRESULT.E_INVALIDARG,
          object: `${user}@${domain}`,
          hint: 'Use --password-file FILE or set COFFER_PASSWORD.',
        },
      );
    }
    const password = await promptHidden(`Password for ${user}@${domain}: `, input, options.output ?? process.stderr);
    return { user, domain, password, source: 'prompt' };
  }
  throw new CofferError(AdErrorCode.CredentialsMissing, `No password for ${user}@${domain}.`, {
    hresult: HRESULT.E_INVALIDARG,
    object: `${user}@${domain}`,
    hint: `Give a password file (first line is the password, mode 0600), set ${envName === false ? 'COFFER_PASSWORD' : envName}, or run in a terminal to be asked.`,
  });
}

export async function readPasswordFile(
  path: string,
  warn: (message: string) => void = () => undefined,
): Promise<Secret> {
  let text: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      warn(
        `password file ${path} can be read by others (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${JSON.stringify(path)}`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CofferError(
      code === 'ENOENT' ? AdErrorCode.PathNotFound : AdErrorCode.CredentialsMissing,
      `Cannot read the password file ${path} (${code ?? 'error'}).`,
      {
        hresult: code === 'ENOENT' ? HRESULT.ERROR_FILE_NOT_FOUND : HRESULT.E_ACCESSDENIED,
        object: path,
        hint: 'Give the path of a readable file whose first line is the password.',
        cause: error,
      },
    );
  }
  const firstLine = text.split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (firstLine === '') {
    throw new CofferError(AdErrorCode.CredentialsMissing, `The password file ${path} is empty.`, {
      hresult: HRESULT.E_INVALIDARG,
      object: path,
      hint: 'Write the password on its first line.',
    });
  }
  return new Secret(firstLine);
}

/** Reads one line in raw mode so the typed characters are never echoed. Ctrl-C and Ctrl-D cancel. */
export function promptHidden(question: string, input: PromptInput, output: NodeJS.WritableStream): Promise<Secret> {
  return new Promise((resolvePromise, reject) => {
    output.write(question);
    input.setRawMode?.(true);
    input.resume();
    let typed = '';
    const finish = (error: CofferError | null) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolvePromise(new Secret(typed));
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003' || char === '\u0004')
          return finish(
            new CofferError('CANCELLED', 'Password entry was cancelled.', { hresult: HRESULT.ERROR_CANCELLED }),
          );
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
