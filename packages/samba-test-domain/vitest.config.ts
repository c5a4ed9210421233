import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Each test here provisions DCs of its own: more time per test than the shared default.
export default mergeConfig(shared, defineConfig({ test: { testTimeout: 120_000 } }));
