export { main } from './main.js';
export type { CliIo, InputStream, OutputStream } from './io.js';
export { ExitCode, exitCodeFor, type ExitCodeValue } from './output/exit-codes.js';
export {
  optionSpecsFor,
  flagName,
  RESERVED_FLAGS,
  type OptionSpec,
  type SecretSpec,
  type ValueKind,
} from './options/option-specs.js';
export { BUILTIN_PROVIDERS, type BuiltinProvider } from './providers/builtin-providers.js';
export { CONFIG_FILE_NAMES, readConfig, type CofferConfig } from './providers/config-file.js';
export {
  discoverProviders,
  type AvailableProvider,
  type FailedProvider,
  type ProviderRegistry,
  type ProviderSource,
  type DiscoverOptions,
} from './providers/provider-registry.js';
