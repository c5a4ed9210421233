import { join, resolve } from 'node:path';
import envPaths from 'env-paths';

export const STORE_PATH_ENV = 'COFFER_DRM_STORE';
export const SERVICE_PATH_ENV = 'COFFER_DRM_SERVICE';

/** Coffer's data folder: $XDG_DATA_HOME/coffer, by default ~/.local/share/coffer. */
export function cofferDataDirectory(): string {
  return envPaths('coffer', { suffix: '' }).data;
}

/** The license store folder: the option, else COFFER_DRM_STORE, else <data>/drm-store. */
export function resolveStorePath(option?: string): string {
  return resolve(option ?? process.env[STORE_PATH_ENV] ?? join(cofferDataDirectory(), 'drm-store'));
}

/** The (simulated) license restore service folder: the option, else COFFER_DRM_SERVICE, else <data>/drm-license-service. */
export function resolveServicePath(option?: string): string {
  return resolve(option ?? process.env[SERVICE_PATH_ENV] ?? join(cofferDataDirectory(), 'drm-license-service'));
}
