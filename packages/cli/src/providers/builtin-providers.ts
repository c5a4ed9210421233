/**
 * Providers Coffer knows by name: `coffer backup gpo` works once the package is installed. A loaded provider
 * brings its own aliases and examples (BackupProvider.aliases/examples); `aliases` here only lets the CLI
 * recognise the name of one that is not installed, to say which package to install.
 */
export interface BuiltinProvider {
  id: string;
  aliases: string[];
  packageName: string;
  displayName: string;
}

export const BUILTIN_PROVIDERS: readonly BuiltinProvider[] = [
  {
    id: 'gpo',
    aliases: [],
    packageName: '@coffer/provider-gpo',
    displayName: 'Group Policy Objects',
  },
  {
    id: 'starter-gpo',
    aliases: [],
    packageName: '@coffer/provider-starter-gpo',
    displayName: 'Starter GPOs',
  },
  {
    id: 'drm-licenses',
    aliases: ['drm'],
    packageName: '@coffer/provider-drm-licenses',
    displayName: 'DRM licenses',
  },
];

export function installHint(builtin: BuiltinProvider): string {
  return `npm install ${builtin.packageName}`;
}
