/** Providers Coffer knows by name: `coffer backup gpo` works once the package is installed. */
export interface BuiltinProvider {
  id: string;
  aliases: string[];
  packageName: string;
  displayName: string;
  /**
   * Command lines for `coffer backup|restore <id> --help`. Provider schemas carry no examples for backup and restore
   * (only for their own commands), so the CLI keeps them for the providers it knows. Each one runs as shown: the
   * packaging test runs every --help example against its test DC (the placeholders dc1.corp.example, ~/.pw,
   * /etc/ssl/corp-ca.pem and /srv/backups are mapped there).
   */
  examples: { backup: string[]; restore: string[] };
}

/** How the Group Policy examples connect: LDAPS by FQDN, CA verified, password from a 0600 file. */
const CONNECT = '--dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem';

export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  {
    id: 'gpo',
    aliases: [],
    packageName: '@coffer/provider-gpo',
    displayName: 'Group Policy Objects',
    examples: {
      backup: [
        `coffer backup gpo ${CONNECT} --all --out /srv/backups/gpo --comment nightly`,
        `coffer backup gpo ${CONNECT} --gpo "Default Domain Policy" --out /srv/backups/gpo`,
      ],
      restore: [
        `coffer restore gpo ${CONNECT} --gpo "Default Domain Policy" --from /srv/backups/gpo`,
        `coffer restore gpo ${CONNECT} --gpo "Default Domain Policy" --restore-links --restore-wmi-filter --from /srv/backups/gpo`,
      ],
    },
  },
  {
    id: 'starter-gpo',
    aliases: [],
    packageName: '@coffer/provider-starter-gpo',
    displayName: 'Starter GPOs',
    examples: {
      backup: [`coffer backup starter-gpo ${CONNECT} --all --out /srv/backups/gpo`],
      restore: [`coffer restore starter-gpo ${CONNECT} --all --from /srv/backups/gpo`],
    },
  },
  {
    id: 'drm-licenses',
    aliases: ['drm'],
    packageName: '@coffer/provider-drm-licenses',
    displayName: 'DRM licenses',
    examples: {
      backup: ['coffer backup drm --out /srv/backups/drm --overwrite'],
      restore: ['coffer restore drm --from /srv/backups/drm', 'coffer restore drm --from /srv/backups/drm --store ./desktop-store --machine-id desktop --individualize'],
    },
  },
];

export function installHint(builtin: BuiltinProvider): string {
  return `npm install ${builtin.packageName}`;
}
