/**
 * The environment every process Coffer starts (smbclient, smbcacls, python3, samba-tool, sync) runs with.
 *
 * A child's environment is readable by anyone who can read /proc/<pid>/environ (the same user, root, a core dump,
 * a crash reporter) for as long as the child runs, and it is inherited by whatever that child starts in turn. So
 * the secrets Coffer is handed through the environment never go further: every `COFFER_*` variable is dropped (they
 * are Coffer's own settings and secrets, COFFER_PASSWORD first of all; no child reads them), and so are the
 * variables Samba's tools take a password from (PASSWD, PASSWD_FILE, PASSWD_FD: a stray one would either leak or
 * override the password Coffer hands over through a pipe). USER and LOGNAME may carry `name%password` for Samba,
 * so a `%` and what follows it is cut off them.
 */
const SAMBA_PASSWORD_VARIABLES = new Set(['PASSWD', 'PASSWD_FILE', 'PASSWD_FD']);

/** Whether a variable of that name is never passed on to a child process. */
export function isWithheldFromChildren(name: string): boolean {
  return name.startsWith('COFFER_') || SAMBA_PASSWORD_VARIABLES.has(name);
}

/**
 * A copy of `base` (default `process.env`) without the variables {@link isWithheldFromChildren} names, plus
 * `extra` (which wins; used for non-secret settings such as `PASSWD_FD=3`, the number of a pipe).
 */
export function childEnvironment(
  extra: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || isWithheldFromChildren(name)) continue;
    env[name] =
      (name === 'USER' || name === 'LOGNAME') && value.includes('%') ? value.slice(0, value.indexOf('%')) : value;
  }
  return { ...env, ...extra };
}
