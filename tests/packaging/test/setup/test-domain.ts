import { createTestDomainSetup } from '@coffer/samba-test-domain/vitest-global-setup';

// One seeded Samba DC for the whole packaging run, on an address and realm of its own.
export default createTestDomainSetup({ address: '127.0.0.65', realm: 'PACK.COFFER.TEST' });
