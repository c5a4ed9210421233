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
    const domain = await startTestDomain({ seed: true, ...inLane(options, process.env.COFFER_TEST_DC_LANE) });
    project.provide('testDomain', domain.info());
    return () => domain.stop();
  };
}

/**
 * COFFER_TEST_DC_LANE=N (1-254) moves a package's fixed DC to 127.N.0.x with realm `<FIRST>LN.<rest>`, so two
 * checkouts (or two developers on one machine) can run the same package's tests at once without claiming the
 * same address or realm.
 */
export function inLane(options: StartTestDomainOptions, lane: string | undefined): StartTestDomainOptions {
  if (lane === undefined || lane === '') return options;
  const n = Number(lane);
  if (!Number.isInteger(n) || n < 1 || n > 254)
    throw new Error(`COFFER_TEST_DC_LANE must be a whole number from 1 to 254, not ${lane}`);
  const address = options.address?.replace(/^127\.0\.0\.(\d+)$/, `127.${n}.0.$1`);
  const [first, ...rest] = (options.realm ?? 'COFFER.TEST').split('.');
  return { ...options, ...(address ? { address } : {}), realm: [`${first}L${n}`, ...rest].join('.') };
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
