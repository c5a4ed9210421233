import { createTestDomainSetup } from '@coffer/samba-test-domain/vitest-global-setup';

// One seeded Samba DC for the whole suite, on an address and realm of its own.
export default createTestDomainSetup({ address: '127.0.0.81', realm: 'FAULT.COFFER.TEST' });
