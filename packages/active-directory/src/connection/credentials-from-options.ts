import { invalidArgument, type StatusMessage } from '@coffer/core';
import { readCredentials, splitAccount, type Credentials } from '../credentials/read-credentials.js';
import { Secret } from '../credentials/secret.js';
import type { AdConnectionOptions } from './connection-options.js';

/** The warning code of a password file that others than its owner can read (mode not 0600). */
export const PASSWORD_FILE_READABLE = 'PASSWORD_FILE_READABLE';

/** What {@link credentialsFromOptions} reads; `user` may be optional in a provider that can work without a DC. */
export type AccountOptions = Partial<Pick<AdConnectionOptions, 'dc' | 'user'>> &
  Pick<AdConnectionOptions, 'domain' | 'password' | 'passwordFile'>;

/**
 * The account and password connection options name. The account's domain is the one written in `user`
 * (`name@domain`, `DOMAIN\name`), else `domain`, else the DC's DNS suffix (`dc1.corp.example` → `corp.example`).
 * The password is read from `passwordFile` when one is named, else it is `password` (which a host such as the
 * CLI fills from COFFER_PASSWORD or a prompt); never prompted for here. `report` receives a PASSWORD_FILE_READABLE
 * warning when the file's mode lets others read it.
 */
export async function credentialsFromOptions(
  options: AccountOptions,
  report?: (message: StatusMessage) => void,
): Promise<Credentials> {
  const user = options.user;
  if (user === undefined)
    throw invalidArgument('An account (user) is needed to reach the domain controller.', { object: 'user' });
  const domain = /[@\\]/.test(user) ? undefined : (options.domain ?? dcSuffix(options.dc));
  if (options.passwordFile === undefined && options.password !== undefined) {
    return { ...splitAccount(user, domain), password: new Secret(options.password), source: 'value' };
  }
  return readCredentials({
    user,
    ...(domain === undefined ? {} : { domain }),
    ...(options.passwordFile === undefined ? {} : { passwordFile: options.passwordFile }),
    // A password file others can read is the operation's warning (in --json output, exit 3), not a stray stderr line.
    ...(report === undefined
      ? {}
      : {
          warn: (message: string) =>
            report({
              severity: 'warning',
              code: PASSWORD_FILE_READABLE,
              message,
              ...(options.passwordFile === undefined ? {} : { object: options.passwordFile }),
            }),
        }),
    prompt: false,
  });
}

function dcSuffix(dc: string | undefined): string | undefined {
  const dot = dc?.indexOf('.') ?? -1;
  return dc !== undefined && dot > 0 ? dc.slice(dot + 1) : undefined;
}
