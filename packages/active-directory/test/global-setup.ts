import { createTestDomainSetup } from '@coffer/samba-test-domain/vitest-global-setup';

// Own address and realm, so this package's tests can run beside other packages' test DCs.
export default createTestDomainSetup({ address: '127.0.0.41', realm: 'AD.COFFER.TEST', seed: { extraGpos: 40 } });
