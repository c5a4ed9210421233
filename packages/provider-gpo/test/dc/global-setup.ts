import { createTestDomainSetup } from '@coffer/samba-test-domain/vitest-global-setup';

export default createTestDomainSetup({ address: '127.0.0.31', realm: 'GPO.COFFER.TEST' });
