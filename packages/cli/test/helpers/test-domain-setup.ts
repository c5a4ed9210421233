import { createTestDomainSetup } from '@coffer/samba-test-domain/vitest-global-setup';

export default createTestDomainSetup({ address: '127.0.0.51', realm: 'CLI.COFFER.TEST' });
