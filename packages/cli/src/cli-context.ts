import type { CliIo } from './io.js';
import type { Output } from './output/output.js';
import type { ProviderRegistry } from './providers/provider-registry.js';

/** What every verb's action works with; actions record their exit code here. */
export interface CliContext {
  io: CliIo;
  output: Output;
  registry: ProviderRegistry;
  signal: AbortSignal;
  exitCode: number;
}
