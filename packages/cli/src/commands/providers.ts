import type { CliContext } from '../cli-context.js';
import { installHint } from '../providers/builtin-providers.js';
import { ExitCode } from '../output/exit-codes.js';
import { describeHresult, jsonError } from '../output/output.js';
import { providerCapabilities, serializeError } from '@coffer/core';
import type { AvailableProvider } from '../providers/provider-registry.js';

/**
 * `coffer providers`: what loaded (and from where), what failed to load and why, and
 * which built-ins are not installed. Exits 3 when a provider failed to load.
 */
export function providersAction(context: CliContext): void {
  const { registry, output } = context;
  const exitCode = registry.failed.length > 0 ? ExitCode.CompletedWithWarnings : ExitCode.Succeeded;
  context.exitCode = exitCode;
  if (output.json) {
    output.line({
      type: 'result',
      operation: 'providers',
      status: exitCode === ExitCode.Succeeded ? 'succeeded' : 'succeeded-with-warnings',
      exitCode,
      providers: registry.available.map(describeLoaded),
      failed: registry.failed.map((f) => ({
        specifier: f.specifier,
        source: f.source,
        ...(f.builtin ? { id: f.builtin.id } : {}),
        error: jsonError(serializeError(f.error)),
      })),
      notInstalled: registry.missing.map((b) => ({
        id: b.id,
        aliases: b.aliases,
        packageName: b.packageName,
        displayName: b.displayName,
        hint: installHint(b),
      })),
    });
    return;
  }
  const { bold, dim, red, yellow, green } = output.style;
  output.out(bold('Loaded providers'));
  if (registry.available.length === 0) output.out(dim('  (none)'));
  for (const entry of registry.available) {
    const info = describeLoaded(entry);
    const names = [info.id, ...info.aliases].join(', ');
    output.out(
      `  ${green(names)}  ${info.displayName}  ${dim(`${info.packageName ?? info.specifier}${info.version ? ` ${info.version}` : ''} (${info.source})`)}`,
    );
    output.out(`      capabilities: ${info.capabilities.join(', ')}`);
    if (info.commands.length > 0) output.out(`      commands: ${info.commands.map((c) => c.name).join(', ')}`);
  }
  if (registry.failed.length > 0) {
    output.out();
    output.out(bold('Failed to load'));
    for (const failure of registry.failed) {
      output.out(`  ${red(failure.specifier)}  ${dim(`(${failure.source})`)}`);
      const error = serializeError(failure.error);
      output.out(
        `      ${error.code}${error.hresult === undefined ? '' : ` (${describeHresult(error.hresult)})`}: ${error.message}`,
      );
      if (failure.error.hint) output.out(`      hint: ${failure.error.hint}`);
    }
  }
  if (registry.missing.length > 0) {
    output.out();
    output.out(bold('Built-in providers not installed'));
    for (const builtin of registry.missing) {
      output.out(
        `  ${yellow([builtin.id, ...builtin.aliases].join(', '))}  ${builtin.displayName}  not installed — ${installHint(builtin)}`,
      );
    }
  }
}

function describeLoaded(entry: AvailableProvider) {
  const { provider } = entry;
  const capabilities = (['backup', 'restore', 'list'] as const).filter((c) => providerCapabilities(provider)[c]);
  return {
    id: entry.id,
    aliases: entry.aliases,
    displayName: provider.displayName,
    description: provider.description,
    source: entry.source,
    specifier: entry.specifier,
    resolvedPath: entry.resolvedPath,
    ...(entry.packageName ? { packageName: entry.packageName } : {}),
    ...(entry.version ? { version: entry.version } : {}),
    capabilities,
    commands: (provider.commands ?? []).map((c) => ({ name: c.name, description: c.description })),
  };
}
