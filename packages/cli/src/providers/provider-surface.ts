import { CofferError, ErrorCode, type BackupProvider } from '@coffer/core';
import { optionSpecsFor, type OptionSpec } from '../options/option-specs.js';

/** What a provider looks like on the command line: the flags of each of its verbs. */
export interface ProviderSurface {
  backup: OptionSpec[];
  restore: OptionSpec[] | undefined;
  commands: Map<string, OptionSpec[]>;
}

/** The CLI's own verbs: a provider id or alias may not take one. */
export const CLI_VERBS = ['backup', 'restore', 'list', 'verify', 'report', 'diff', 'providers', 'help'] as const;

/** Builds the surface at load time, so a provider whose options cannot be flags fails to load instead of failing later. */
// biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
export function describeSurface(provider: BackupProvider<any, any>): ProviderSurface {
  if ((CLI_VERBS as readonly string[]).includes(provider.id)) {
    throw new CofferError(
      ErrorCode.ProviderInvalid,
      `Provider '${provider.id}' has the same id as the coffer verb '${provider.id}'.`,
      {
        object: provider.id,
        hint: "This is a defect in the provider: its id must differ from coffer's verbs.",
      },
    );
  }
  const commands = new Map<string, OptionSpec[]>();
  for (const command of provider.commands ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(command.name)) {
      throw new CofferError(
        ErrorCode.ProviderInvalid,
        `Provider '${provider.id}' has a command named ${JSON.stringify(command.name)}, which cannot be typed as a coffer verb.`,
        {
          object: provider.id,
        },
      );
    }
    if (commands.has(command.name)) {
      throw new CofferError(
        ErrorCode.ProviderInvalid,
        `Provider '${provider.id}' declares the command '${command.name}' twice.`,
        { object: provider.id },
      );
    }
    commands.set(command.name, optionSpecsFor(command.options, `${provider.id} ${command.name}`, 'command'));
  }
  return {
    backup: optionSpecsFor(provider.options, provider.id),
    restore: provider.restoreOptions
      ? optionSpecsFor(provider.restoreOptions, provider.id)
      : typeof provider.restore === 'function'
        ? []
        : undefined,
    commands,
  };
}
