import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AdErrorCode, readCredentials, Secret, splitAccount, type PromptInput } from '../../src/index.js';
import { writeTempFile } from '../helpers/test-domain.js';

function fakeTty(): PromptInput & PassThrough & { rawModes: boolean[] } {
  const stream = new PassThrough() as PassThrough & PromptInput & { rawModes: boolean[] };
  stream.isTTY = true;
  stream.rawModes = [];
  stream.setRawMode = (mode: boolean) => {
    stream.rawModes.push(mode);
    return stream;
  };
  return stream;
}

describe('Secret', () => {
  it('never shows its value through string, JSON, template or inspect', () => {
    const secret = new Secret('hunter2-Ü');
    expect(String(secret)).toBe('[secret]');
    expect(`${secret}`).toBe('[secret]');
    expect(JSON.stringify({ password: secret })).toBe('{"password":"[secret]"}');
    expect(inspect({ secret })).not.toContain('hunter2');
    expect(secret.reveal()).toBe('hunter2-Ü');
  });
});

describe('readCredentials', () => {
  it('reads the first line of a password file, without CR/LF', async () => {
    const file = writeTempFile('pw', 'Pa ss;wörd\r\nsecond line\n');
    const credentials = await readCredentials({
      user: 'Administrator',
      domain: 'COFFER',
      passwordFile: file,
      warn: () => undefined,
    });
    expect(credentials.password.reveal()).toBe('Pa ss;wörd');
    expect(credentials.source).toBe('file');
    expect(credentials).toMatchObject({ user: 'Administrator', domain: 'COFFER' });
  });

  it('warns when the password file is readable by others, and not when it is 0600', async () => {
    const warnings: string[] = [];
    await readCredentials({
      user: 'a@b.test',
      passwordFile: writeTempFile('pw', 'x\n', 0o644),
      warn: (m) => warnings.push(m),
    });
    await readCredentials({
      user: 'a@b.test',
      passwordFile: writeTempFile('pw', 'x\n', 0o600),
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/chmod 600/);
  });

  it('fails clearly for a missing or empty password file', async () => {
    await expect(readCredentials({ user: 'a@b.test', passwordFile: '/nonexistent/pw' })).rejects.toMatchObject({
      code: AdErrorCode.PathNotFound,
      hresult: 0x80070002,
    });
    await expect(readCredentials({ user: 'a@b.test', passwordFile: writeTempFile('pw', '\n') })).rejects.toMatchObject({
      code: AdErrorCode.CredentialsMissing,
    });
  });

  it('takes COFFER_PASSWORD (or a named variable) from the environment', async () => {
    const fromDefault = await readCredentials({
      user: 'COFFER\\admin',
      env: { COFFER_PASSWORD: 'from-env' },
      prompt: false,
    });
    expect(fromDefault).toMatchObject({ user: 'admin', domain: 'COFFER', source: 'environment' });
    expect(fromDefault.password.reveal()).toBe('from-env');
    const named = await readCredentials({
      user: 'admin@coffer.test',
      passwordEnv: 'MY_PW',
      env: { MY_PW: 'named', COFFER_PASSWORD: 'other' },
      prompt: false,
    });
    expect(named.password.reveal()).toBe('named');
  });

  it('prompts on a TTY without echoing, handling backspace', async () => {
    const input = fakeTty();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    const pending = readCredentials({ user: 'admin@coffer.test', env: {}, input, output });
    input.write('pass');
    input.write('x\u007f');
    input.write('wörd\r');
    const credentials = await pending;
    expect(credentials.password.reveal()).toBe('passwörd');
    expect(credentials.source).toBe('prompt');
    expect(shown).toBe('Password for admin@coffer.test: \n');
    expect(input.rawModes).toEqual([true, false]);
  });

  it('cancels on Ctrl-C', async () => {
    const input = fakeTty();
    const pending = readCredentials({ user: 'admin@coffer.test', env: {}, input, output: new PassThrough() });
    input.write('abc\u0003');
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('without file, variable or terminal it says what to do', async () => {
    const input = new PassThrough() as PassThrough & PromptInput;
    const error = await readCredentials({ user: 'admin@coffer.test', env: {}, input }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: AdErrorCode.CredentialsMissing });
    expect((error as { hint: string }).hint).toMatch(/COFFER_PASSWORD/);
  });

  it('splits user@domain and DOMAIN\\user, and needs a domain otherwise', () => {
    expect(splitAccount('admin@coffer.test')).toEqual({ user: 'admin', domain: 'coffer.test' });
    expect(splitAccount('COFFER\\admin')).toEqual({ user: 'admin', domain: 'COFFER' });
    expect(splitAccount('admin', 'COFFER')).toEqual({ user: 'admin', domain: 'COFFER' });
    expect(() => splitAccount('admin')).toThrow(/No domain/);
  });
});
