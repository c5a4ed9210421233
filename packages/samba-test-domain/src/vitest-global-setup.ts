import type {} from 'vitest';
import type { StartTestDomainOptions, TestDomainInfo } from './types.js';
import { startTestDomain } from './test-domain.js';

/** The slice of vitest's TestProject that a global setup uses (kept structural so this file needs no vitest import). */
export interface ProvidingProject {
  provide(key: 'testDomain', value: TestDomainInfo): void;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDomain: TestDomainInfo;
  }
}

/**
 * Builds a vitest global setup that starts one seeded test DC for the whole run, provides its details as
 * `inject('testDomain')`, and stops it afterwards (also when tests fail).
 * Give each package its own `address` and `realm` so packages can test in parallel.
 */
export function createTestDomainSetup(options: StartTestDomainOptions = {}) {
  return async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
    const domain = await startTestDomain({ seed: true, ...options });
    project.provide('testDomain', domain.info());
    return () => domain.stop();
  };
}

/**
 * Default global setup: address and realm from COFFER_TEST_DC_ADDRESS / COFFER_TEST_DC_REALM when set,
 * otherwise the first free 127.0.0.x and COFFER.TEST.
 */
export default async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
  const address = process.env.COFFER_TEST_DC_ADDRESS;
  const realm = process.env.COFFER_TEST_DC_REALM;
  return createTestDomainSetup({ ...(address ? { address } : {}), ...(realm ? { realm } : {}) })(project);
}
