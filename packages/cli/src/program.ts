import { Command, Option } from 'commander';
import { serializeError, toCofferError, type ProviderCommand } from '@coffer/core';
import type { CliContext } from './cli-context.js';
import { usageError } from './commands/operation-output.js';
import { addShareOptions, type ShareFlags } from './commands/share-target.js';
import { definePruneCommand } from './commands/prune.js';
import type { ReportFlags } from './commands/report.js';
import type { DiffFlags } from './commands/diff.js';
import { type ListFilterFlags, type ListFilters, parseListFilters } from './commands/list-filters.js';
import { addOptionFlags, secretHelpLines } from './options/flag-binding.js';
import type { OptionSpec } from './options/option-specs.js';
import { ExitCode } from './output/exit-codes.js';
import { jsonError } from './output/output.js';
import { closest } from './output/suggest.js';
import { BUILTIN_PROVIDERS, installHint } from './providers/builtin-providers.js';
import type { AvailableProvider } from './providers/provider-registry.js';
import { CLI_VERBS } from './providers/provider-surface.js';

/*
 * A verb's module, and what it alone needs (the progress bar, the table's string widths, the secret prompt, the GPO
 * readers), is loaded when that verb runs, not for every `coffer` run: the tree below only defines the commands,
 * which commander needs whole to parse the line and print help. Each action is awaited, so exit codes, errors and
 * Ctrl-C are as when the modules were imported up front.
 */
const providerOperations = () => import('./commands/provider-operations.js');

/** Thrown while parsing when a secret is given as a flag; main turns it into a usage error without echoing the value. */
export class SecretFlagError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * The options every coffer command accepts. main() reads them first with a bare commander program of these alone
 * (they decide which providers load and how output looks, so they are needed before the tree can be built); the
 * tree defines them again, to accept and document them where the user puts them.
 */
export function addGlobalOptions(command: Command): Command {
  return command
    .optionsGroup('Global Options:')
    .option(
      '--cwd <dir>',
      'project directory where coffer.config.json and provider packages are looked up (default: the current directory)',
    )
    .option(
      '--provider <package-or-path>',
      'also load this provider (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print JSON lines on stdout (progress, messages, a final result) and nothing else there')
    .option('--no-color', 'no colours (NO_COLOR=1 does the same)');
}

/** Builds the whole command tree for the providers that loaded; every action records its exit code in the context. */
export function buildProgram(context: CliContext, version: string): Command {
  const { output } = context;
  const program = new Command('coffer');
  program
    .description('Back up, list, verify and restore with pluggable Coffer providers.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      // In JSON mode stdout carries JSON lines only: help goes to stderr there.
      writeOut: (text) => (output.json ? output.stderr : output.stdout).write(text),
      writeErr: (text) => output.stderr.write(output.redact(text)),
      outputError: (text, write) => write(output.style.red(text)),
      getOutHelpWidth: () => (output.json ? output.stderr : output.stdout).columns ?? 100,
      getErrHelpWidth: () => output.stderr.columns ?? 100,
    });
  addGlobalOptions(program);
  program.addHelpText('after', () => programHelpFooter(context));

  const backup = program
    .command('backup')
    .summary('back up with a provider into an existing directory')
    .description('Back up objects with a provider into an existing backup directory (Coffer never creates it).')
    .argument('[provider]', 'provider id or alias')
    .allowUnknownOption()
    .allowExcessArguments()
    .action((name: string | undefined, _options: unknown, command: Command) =>
      unknownProvider(context, 'backup', name, command),
    );
  backup.addHelpText('after', () =>
    verbHelpFooter(
      'Providers:',
      providerLines(context, () => true),
      firstExamples(context, 'backup'),
      'backup',
      context.registry.available[0],
    ),
  );

  const restore = program
    .command('restore')
    .summary('restore from a backup directory with a provider')
    .description('Restore objects from a backup directory with a provider that can restore.')
    .argument('[provider]', 'provider id or alias')
    .allowUnknownOption()
    .allowExcessArguments()
    .action((name: string | undefined, _options: unknown, command: Command) =>
      unknownProvider(context, 'restore', name, command),
    );
  restore.addHelpText('after', () =>
    verbHelpFooter(
      'Providers that can restore:',
      providerLines(context, (e) => typeof e.provider.restore === 'function'),
      firstExamples(context, 'restore'),
      'restore',
      context.registry.available.find((e) => typeof e.provider.restore === 'function'),
    ),
  );

  for (const entry of context.registry.available) {
    defineBackup(context, backup, entry);
    defineRestore(context, restore, entry);
  }

  const list = program
    .command('list')
    .summary('list the backups in a directory, newest first')
    .description(
      'List the backups every loaded provider (or only the one named) finds in a directory, merged, newest first.',
    )
    .usage('[options] <dir>  |  coffer list <provider> --from <dir>')
    .argument(
      '[provider-or-dir]',
      'backup directory; or a provider id, to list only its backups (then give the directory with --from or after it)',
    )
    .argument('[dir]', 'backup directory, after a provider id')
    .option('--from <dir>', 'backup directory (after a provider id, as in coffer restore <provider> --from <dir>)')
    .option('--query <text>', 'only backups whose name or id contains this text (case-insensitive)')
    .option('--type <provider>', 'only the backups of this provider, by id or alias (repeatable)', repeat)
    .option(
      '--name <pattern-or-guid>',
      'only backups of objects so named (case-insensitive, * and ? as wildcards) or with this GUID (repeatable: any of them)',
      repeat,
    )
    .option(
      '--since <time>',
      'only backups made at or after this time: an ISO date or time, or a time ago (30m, 12h, 7d, 2w)',
    )
    .option('--until <time>', 'only backups made at or before this time (a date alone: to the end of that day)')
    .addHelpText('after', () =>
      [
        '',
        'On a terminal the result is a table (created, provider, kind, name, id, comment); otherwise one tab-separated',
        'line per backup (created, provider, kind, name, id, path, comment). Times without a zone are local time.',
        ...examplesSection(listExamples(context)),
      ].join('\n'),
    )
    .action((first: string | undefined, second: string | undefined, options: ListFlags) =>
      listCommand(context, first, second, options),
    );
  addShareOptions(list);

  const verify = program
    .command('verify')
    .summary('re-hash backups against their integrity manifests')
    .description(
      'Re-read and re-hash every backup in a directory (or one backup folder) against its Coffer integrity manifest; reports missing, extra, truncated and altered files.',
    )
    .argument('<dir>', 'backup directory, or one backup folder, or an SMB share folder (//server/share/folder)')
    .addHelpText('after', () =>
      [
        '',
        'Exit status: 0 all verified, 1 a backup has problems, 3 folders without a Coffer manifest were skipped.',
        ...examplesSection(backupDirectories(context).map((dir) => `coffer verify ${dir}`)),
      ].join('\n'),
    )
    .action(async (dir: string, options: ShareFlags) =>
      (await import('./commands/verify.js')).verifyAction(context, dir, options),
    );

  addShareOptions(verify);
  defineReportAndDiff(context, program);
  definePruneCommand(context, program);

  program
    .command('providers')
    .summary('show the providers that loaded, failed to load, or are not installed')
    .description(
      'Show every provider: those loaded (id, name, package, version, capabilities, commands, where it came from), those that failed to load and why, and built-ins that are not installed.',
    )
    .addHelpText('after', () => examplesSection(providersExamples(context)).join('\n'))
    .action(async () => (await import('./commands/providers.js')).providersAction(context));

  program
    .command('help')
    .summary('show help for a verb, a provider or a provider command')
    .description('Show help: coffer help [verb] [provider], or coffer help <provider> <command>.')
    .argument('[words...]', 'e.g. backup gpo')
    .addHelpText('after', () => examplesSection(helpExamples(context)).join('\n'))
    .action((words: string[]) => helpAction(context, program, words));

  defineProviderCommandGroups(context, program);

  const hint = (words: string) => `(run 'coffer help${words ? ` ${words}` : ''}' for usage)`;
  visit(program, (command, path) => command.showHelpAfterError(hint(path.join(' '))));
  return program;
}

const repeat = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `coffer report` and `coffer diff`: GPO backups read back (no AD), except `diff --live`, which backs up with the gpo provider. */
function defineReportAndDiff(context: CliContext, program: Command): void {
  program
    .command('report')
    .summary('settings report of GPO and Starter GPO backups (HTML, GPMC XML, JSON)')
    .description(
      'Write the settings report of one or many GPO or Starter GPO backups, as GPMC shows it (summary, links, security filtering, WMI filtering, delegation, Computer and User settings by extension), from the backups alone: AD is not read.',
    )
    .argument('<dir>', 'backup directory, or one backup folder, or an SMB share folder (//server/share/folder)')
    .option('--backup-id <id>', 'only this backup (repeatable)', repeat)
    .option(
      '--gpo <name-or-guid>',
      'only the newest backup of this GPO (repeatable); default: the newest backup of every GPO',
      repeat,
    )
    .option(
      '--format <format>',
      "html (one self-contained page), xml (GPMC's gpreport shape) or json (the settings model); default: from --out's extension, else html",
    )
    .option('--out <file>', 'write the report to this file (default: standard output)')
    .option(
      '--admx-dir <dir>',
      'ADMX/ADML definitions (a copy of the central store PolicyDefinitions) to name Administrative Template policies',
    )
    .addHelpText(
      'after',
      '\nExit status: 0 written, 1 failed, 3 written but some files of a backup could not be decoded (named as warnings).\n\nExamples:\n  coffer report /srv/backups/gpo --out gpo-report.html\n  coffer report /srv/backups/gpo --gpo "Default Domain Policy" --format xml --out ddp.xml\n  coffer report /srv/backups/gpo --format json --out settings.json\n',
    )
    .action(async (dir: string, options: ReportFlags) =>
      (await import('./commands/report.js')).reportAction(context, dir, options),
    );

  const gpoProvider = context.registry.available.find((entry) => entry.id === 'gpo');
  const diff = program
    .command('diff')
    .summary('what changed between two GPO backups, two backup directories, or a backup and the live domain')
    .description(
      'Compare GPO backups setting by setting (added, removed, changed with old and new values) and by name, status, versions, links, security filtering, delegation (ACE by ACE) and WMI filter. A and B are backup folders, or backup directories (the newest backup of each GPO, paired by GUID); --live compares A with the domain now (backed up into a private temp folder, removed afterwards).',
    )
    .argument('<a>', 'backup folder or directory (the old side)')
    .argument('[b]', 'backup folder or directory (the new side); or --live');
  addDiffOwnOptions(diff);
  if (gpoProvider) {
    addOptionFlags(
      diff,
      gpoProvider.surface.backup,
      'Live domain options (with --live; --gpo also limits the comparison):',
    );
    rejectSecretFlags(diff, gpoProvider.surface.backup);
  } else {
    addDiffGpoFallback(diff);
  }
  diff
    .addHelpText(
      'after',
      '\nExit status: 0 compared (with --exit-code: no differences), 4 differences found (only with --exit-code), 1 failed, 2 usage error.\n\nExamples:\n  coffer diff /srv/backups/gpo --live --dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem\n  coffer diff /srv/backups/gpo /srv/backups/gpo --exit-code --format html --out changes.html   # two directories: the newest backup of each GPO, paired by GUID\n',
    )
    .action(async (a: string, b: string | undefined, options: DiffFlags) =>
      (await import('./commands/diff.js')).diffAction(context, a, b, options, gpoProvider),
    );
}

/**
 * The options `coffer diff` has of its own, whatever providers are loaded; main reads them (with commander) before
 * deciding whether a diff needs the providers at all.
 */
export function addDiffOwnOptions(command: Command): Command {
  return command
    .option('--live', 'compare A with the live domain (needs the gpo provider and its connection options below)')
    .option(
      '--format <format>',
      'text (default: a summary like git diff --stat, then the changes), json or html (one self-contained page)',
    )
    .option('--out <file>', 'write the diff to this file instead of standard output')
    .option('--exit-code', 'exit 4 when there are differences, 0 when there are none (for scripts)')
    .option('--admx-dir <dir>', 'ADMX/ADML definitions to name Administrative Template policies');
}

/** `--gpo` when the gpo provider (which brings its own, with its connection options) is not loaded. */
export function addDiffGpoFallback(command: Command): Command {
  return command.option('--gpo <name-or-guid>', 'only this GPO (repeatable)', repeat);
}

interface ListFlags extends ListFilterFlags, ShareFlags {
  from?: string;
  query?: string;
}

/**
 * `coffer list DIR`, `coffer list <provider> --from DIR` or `coffer list <provider> DIR`. One word alone is always a
 * directory (a folder may well be called `gpo`); a provider is only read from the first word when a directory follows
 * (the same as `--type <provider>`).
 */
async function listCommand(
  context: CliContext,
  first: string | undefined,
  second: string | undefined,
  options: ListFlags,
): Promise<void> {
  if (second !== undefined && options.from !== undefined && second !== options.from) {
    usageError(
      context,
      `Two directories given: '${second}' and --from '${options.from}'.`,
      'coffer list <provider> --from <dir>, or coffer list <dir>',
      'list',
    );
    return;
  }
  const directory = second ?? options.from ?? first;
  if (directory === undefined) {
    usageError(
      context,
      'coffer list needs a backup directory.',
      'coffer list <dir>, or coffer list <provider> --from <dir>',
      'list',
    );
    return;
  }
  const named = directory !== first && first !== undefined ? [first] : [];
  if (named.length > 0 && !context.registry.find(first!) && !context.registry.findUnavailableBuiltin(first!)) {
    unknownProvider(context, 'list', first, undefined);
    return;
  }
  let filters: ListFilters;
  try {
    filters = parseListFilters({ ...options, type: [...named, ...(options.type ?? [])] }, context.registry);
  } catch (error) {
    const failure = toCofferError(error);
    // A built-in that is not installed or failed to load says so, as `coffer backup <it>` does.
    const name = named[0] ?? options.type?.[0];
    if (name !== undefined && context.registry.findUnavailableBuiltin(name)) unavailableProvider(context, name, 'list');
    else usageError(context, failure.message, failure.hint ?? "Run 'coffer help list'.", 'list');
    return;
  }
  return (await import('./commands/list.js')).listAction(context, directory, options.query, filters, options);
}

function defineBackup(context: CliContext, backup: Command, entry: AvailableProvider): void {
  const command = backup
    .command(entry.id)
    .aliases(entry.aliases)
    .description(`${entry.provider.displayName}: ${entry.provider.description}`);
  command.optionsGroup(`${entry.provider.displayName} options:`);
  addOptionFlags(command, entry.surface.backup, `${entry.provider.displayName} options:`);
  rejectSecretFlags(command, entry.surface.backup);
  command.optionsGroup('Backup options:');
  command.addOption(
    new Option(
      '--out <dir>',
      'existing directory (or SMB share folder, //server/share/folder) to write the backup into',
    ).makeOptionMandatory(),
  );
  addShareOptions(command);
  command.option('--comment <text>', 'comment stored with the backup');
  command.addHelpText(
    'after',
    providerHelpFooter(
      entry.surface.backup,
      providerExamples(entry, 'backup') ??
        generatedExample(`coffer backup ${entry.id}`, entry.surface.backup, '--out <dir>'),
    ),
  );
  command.action(async (options: Record<string, unknown>) =>
    (await providerOperations()).backupAction(context, entry, options),
  );
}

function defineRestore(context: CliContext, restore: Command, entry: AvailableProvider): void {
  const specs = entry.surface.restore ?? [];
  const canRestore = typeof entry.provider.restore === 'function';
  const command = restore
    .command(entry.id)
    .aliases(entry.aliases)
    .description(
      canRestore
        ? `${entry.provider.displayName}: restore from a backup directory.`
        : `${entry.provider.displayName} cannot restore (back up only).`,
    );
  command.optionsGroup(`${entry.provider.displayName} options:`);
  addOptionFlags(command, specs, `${entry.provider.displayName} options:`);
  rejectSecretFlags(command, specs);
  command.optionsGroup('Restore options:');
  command.addOption(
    new Option(
      '--from <dir>',
      'backup directory (or SMB share folder, //server/share/folder) to restore from',
    ).makeOptionMandatory(),
  );
  addShareOptions(command);
  if (canRestore)
    command.addHelpText(
      'after',
      providerHelpFooter(
        specs,
        providerExamples(entry, 'restore') ?? generatedExample(`coffer restore ${entry.id}`, specs, '--from <dir>'),
      ),
    );
  command.action(async (options: Record<string, unknown>) =>
    (await providerOperations()).restoreAction(context, entry, options),
  );
}

/** `coffer <provider> <command>` for every provider command, and `coffer <command> <provider>` where that name is free. */
function defineProviderCommandGroups(context: CliContext, program: Command): void {
  const taken = new Set<string>([...CLI_VERBS, ...BUILTIN_PROVIDERS.flatMap((b) => [b.id, ...b.aliases])]);
  for (const entry of context.registry.available) for (const name of [entry.id, ...entry.aliases]) taken.add(name);
  const byVerb = new Map<string, AvailableProvider[]>();
  for (const entry of context.registry.available) {
    const commands = entry.provider.commands ?? [];
    if (commands.length === 0) continue;
    const group = program
      .command(entry.id)
      .aliases(entry.aliases)
      .summary(`${entry.provider.displayName} commands: ${commands.map((c) => c.name).join(', ')}`)
      .description(`${entry.provider.displayName}: ${entry.provider.description}`);
    for (const command of commands) {
      defineProviderCommand(context, group.command(command.name), entry, command, `coffer ${entry.id} ${command.name}`);
      if (!taken.has(command.name)) byVerb.set(command.name, [...(byVerb.get(command.name) ?? []), entry]);
    }
  }
  // `coffer import gpo` works as `coffer gpo import` does, but only the provider's group is listed in `coffer --help`:
  // a dozen provider verbs among the CLI's own would bury them (each provider's group lists its commands).
  for (const [verb, entries] of byVerb) {
    const group = program
      .command(verb, { hidden: true })
      .summary(`${verb} with ${entries.map((e) => e.id).join(', ')}`)
      .description(`${verb} (a provider command) — also available as coffer <provider> ${verb}.`);
    for (const entry of entries) {
      const command = entry.provider.commands!.find((c) => c.name === verb)!;
      defineProviderCommand(
        context,
        group.command(entry.id).aliases(entry.aliases),
        entry,
        command,
        `coffer ${verb} ${entry.id}`,
      );
    }
  }
}

function defineProviderCommand(
  context: CliContext,
  command: Command,
  entry: AvailableProvider,
  definition: ProviderCommand,
  usage: string,
): void {
  const specs = entry.surface.commands.get(definition.name) ?? [];
  command.description(definition.description);
  command.optionsGroup('Options:');
  addOptionFlags(command, specs, 'Options:');
  rejectSecretFlags(command, specs);
  const examples =
    definition.examples && definition.examples.length > 0
      ? { examples: definition.examples }
      : generatedExample(usage, specs, '');
  command.addHelpText('after', providerHelpFooter(specs, examples));
  command.action(async (options: Record<string, unknown>) =>
    (await providerOperations()).providerCommandAction(context, entry, definition.name, options),
  );
}

/** A built-in named but not installed (exit 2, how to install it) or failed to load (exit 1, why); false for any other name. */
export function unavailableProvider(context: CliContext, name: string, verb: string | undefined): boolean {
  const unavailable = context.registry.findUnavailableBuiltin(name);
  if (!unavailable) return false;
  if (unavailable.failure) {
    const error = unavailable.failure.error;
    context.exitCode = ExitCode.Failed;
    if (context.output.json) {
      context.output.line({
        type: 'result',
        ...(verb ? { operation: verb } : {}),
        status: 'failed',
        exitCode: ExitCode.Failed,
        error: jsonError(serializeError(error)),
      });
    } else {
      context.output.error(serializeError(error));
    }
    return true;
  }
  usageError(
    context,
    `The provider '${unavailable.builtin.id}' is not installed.`,
    `${installHint(unavailable.builtin)} (next to @coffer/cli or in your project)`,
    verb,
  );
  return true;
}

/**
 * A provider name that is not a loaded provider's (`coffer backup nope`, `coffer help restore nope`): a built-in that
 * is not installed or failed to load says so and how to fix it; any other name gets the closest loaded one.
 */
function unknownProvider(
  context: CliContext,
  verb: string,
  name: string | undefined,
  command: Command | undefined,
): void {
  if (name !== undefined && context.registry.findUnavailableBuiltin(name)) {
    unavailableProvider(context, name, verb);
    return;
  }
  const known = context.registry.available.flatMap((e) => [e.id, ...e.aliases]);
  if (name === undefined || name.startsWith('-')) {
    const named = command?.args.find((arg) => known.includes(arg));
    if (named) {
      usageError(context, `Name the provider right after '${verb}'.`, `coffer ${verb} ${named} [options]`, verb);
      return;
    }
    usageError(
      context,
      `coffer ${verb} needs a provider: coffer ${verb} <provider> [options].`,
      `Providers: ${known.join(', ') || 'none loaded'}. Run 'coffer help ${verb}'.`,
      verb,
    );
    return;
  }
  const suggestion = closest(name, known);
  const failed = context.registry.failed.length;
  const hint = [
    suggestion ? `Did you mean '${suggestion}'?` : undefined,
    `Loaded providers: ${known.join(', ') || 'none'}.`,
    failed > 0
      ? `${failed} provider${failed === 1 ? '' : 's'} failed to load: run 'coffer providers' to see why.`
      : "Run 'coffer providers' to see what is installed.",
  ]
    .filter(Boolean)
    .join(' ');
  usageError(context, `Unknown provider '${name}'.`, hint, verb);
}

function helpAction(context: CliContext, program: Command, words: string[]): void {
  let target = program;
  for (const [index, word] of words.entries()) {
    const next = target.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) {
      if (target.name() === 'backup' || target.name() === 'restore') {
        unknownProvider(context, target.name(), word, target);
        return;
      }
      if (target === program && context.registry.findUnavailableBuiltin(word)) {
        unavailableProvider(context, word, undefined);
        return;
      }
      const names = target.commands.flatMap((c) => [c.name(), ...c.aliases()]);
      const suggestion = closest(word, names);
      const path = words.slice(0, index + 1).join(' ');
      usageError(
        context,
        `There is no 'coffer ${path}'.`,
        `${suggestion ? `Did you mean '${suggestion}'? ` : ''}Run 'coffer help' for the verbs.`,
      );
      return;
    }
    target = next;
  }
  target.outputHelp();
  context.exitCode = ExitCode.Succeeded;
}

/** A secret has no flag; giving one anyway gets a usage error that says where secrets come from (and never repeats the value). */
function rejectSecretFlags(command: Command, specs: readonly OptionSpec[]): void {
  for (const spec of specs) {
    if (!spec.secret) continue;
    command.addOption(new Option(`--${spec.flag}`).hideHelp());
    command.on(`option:${spec.flag}`, () => {
      const file = spec.secret?.fileOption ? specs.find((s) => s.property === spec.secret?.fileOption) : undefined;
      const sources = [
        spec.secret?.env ? `set ${spec.secret.env}` : undefined,
        file ? `use --${file.flag} FILE` : undefined,
        'or run on a terminal to be prompted',
      ];
      throw new SecretFlagError(
        `--${spec.flag} is not accepted: '${spec.property}' is a secret and never goes on the command line.`,
        sources.filter(Boolean).join(', '),
      );
    });
  }
}

/** What a help page ends with: `examples` run as shown (the packaging test runs them); a `synopsis` when there are none. */
type HelpLines = { examples: readonly string[] } | { synopsis: string };

function providerHelpFooter(specs: readonly OptionSpec[], lines: HelpLines): string {
  const secrets = secretHelpLines(specs);
  const parts = [''];
  if (secrets.length > 0) parts.push('Secrets (never flags):', ...secrets, '');
  if ('examples' in lines) parts.push('Examples:', ...lines.examples.map((e) => `  ${e}`), '');
  else parts.push('Synopsis (required options only):', `  ${lines.synopsis}`, '');
  return parts.join('\n');
}

/** The command lines the provider declares for this verb (BackupProvider.examples). */
function providerExamples(entry: AvailableProvider, verb: 'backup' | 'restore'): HelpLines | undefined {
  const examples = entry.provider.examples?.[verb];
  return examples && examples.length > 0 ? { examples } : undefined;
}

/** For a provider that brings no example: the command with its required options, as a synopsis (not run by any test). */
function generatedExample(prefix: string, specs: readonly OptionSpec[], tail: string): HelpLines {
  const required = specs
    .filter((s) => s.required && !s.secret)
    .map((s) => (s.kind === 'boolean' ? `--${s.flag}` : `--${s.flag} <${s.flag}>`));
  return { synopsis: [prefix, ...required, tail].filter(Boolean).join(' ') };
}

function providerLines(context: CliContext, include: (entry: AvailableProvider) => boolean): string {
  const lines = context.registry.available
    .filter(include)
    .map((e) => `  ${[e.id, ...e.aliases].join(', ').padEnd(22)} ${e.provider.displayName}`);
  for (const builtin of context.registry.missing)
    lines.push(`  ${[builtin.id, ...builtin.aliases].join(', ').padEnd(22)} not installed — ${installHint(builtin)}`);
  return lines.length > 0 ? lines.join('\n') : '  (none: run coffer providers)';
}

function programHelpFooter(context: CliContext): string {
  const first = context.registry.available[0];
  const [directory] = backupDirectories(context);
  const command = context.registry.available
    .flatMap((entry) => entry.provider.commands ?? [])
    .find((c) => c.examples && c.examples.length > 0);
  return [
    '',
    'Providers:',
    providerLines(context, () => true),
    ...(context.registry.failed.length > 0
      ? [`  (${context.registry.failed.length} failed to load: run coffer providers)`]
      : []),
    ...examplesSection([
      'coffer providers',
      ...firstExamples(context, 'backup').slice(0, 1),
      ...(directory ? [`coffer list ${directory}`, `coffer verify ${directory}`] : []),
      ...firstExamples(context, 'restore').slice(0, 1),
      ...(command?.examples ? [`${command.examples[0]}   # a provider's own command`] : []),
      ...(first ? [`coffer help backup ${first.id}   # the options of one provider`] : []),
    ]),
    'Exit status: 0 succeeded, 1 failed, 2 usage error, 3 completed with warnings, 4 differences found (coffer diff --exit-code), 130 cancelled (Ctrl-C).',
    'Third-party providers: list them in coffer.config.json ({ "providers": ["package", "./path.js"] }) or pass --provider.',
    'A provider command also runs verb first where the name is free: coffer <command> <provider> [options].',
    '',
  ].join('\n');
}

/**
 * Help examples come from the providers (BackupProvider.examples, ProviderCommand.examples), never from the CLI: a
 * page shows what the installed providers can run, and the packaging test runs every one of them as shown.
 */
function examplesSection(lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : ['', 'Examples:', ...lines.map((line) => `  ${line}`), ''];
}

/** The first example each loaded provider declares for the verb. */
function firstExamples(context: CliContext, verb: 'backup' | 'restore'): string[] {
  return context.registry.available.flatMap((entry) => entry.provider.examples?.[verb]?.slice(0, 1) ?? []);
}

/** The backup directories the providers' backup examples write into, with the provider of each. */
function backupTargets(context: CliContext): Array<{ directory: string; entry: AvailableProvider }> {
  const targets: Array<{ directory: string; entry: AvailableProvider }> = [];
  for (const entry of context.registry.available) {
    for (const example of entry.provider.examples?.backup ?? []) {
      const directory = /\s--out[\s=]("[^"]*"|'[^']*'|\S+)/.exec(example)?.[1];
      if (directory && !targets.some((t) => t.directory === directory && t.entry === entry))
        targets.push({ directory, entry });
    }
  }
  return targets;
}

function backupDirectories(context: CliContext): string[] {
  return [...new Set(backupTargets(context).map((t) => t.directory))];
}

/** `coffer list` over the directories the backup examples fill, and its filters on the first one. */
function listExamples(context: CliContext): string[] {
  const declared = context.registry.available.flatMap((entry) => entry.provider.examples?.list ?? []);
  const targets = backupTargets(context);
  const first = targets[0];
  return [
    ...declared,
    ...backupDirectories(context).map((directory) => `coffer list ${directory}`),
    ...(first
      ? [
          `coffer list ${first.directory} --type ${first.entry.id} --since 7d`,
          `coffer list ${first.directory} --since 2020-01-01T00:00Z --json`,
        ]
      : []),
  ];
}

function helpExamples(context: CliContext): string[] {
  const first = context.registry.available[0];
  const withCommand = context.registry.available.find((entry) => (entry.provider.commands ?? []).length > 0);
  return [
    ...(first ? [`coffer help backup ${first.id}`] : []),
    ...(withCommand ? [`coffer help ${withCommand.id} ${withCommand.provider.commands![0]!.name}`] : []),
  ];
}

function providersExamples(context: CliContext): string[] {
  const packaged = context.registry.available.find((entry) => entry.packageName !== undefined);
  return [
    'coffer providers',
    'coffer providers --json',
    ...(packaged
      ? [`coffer providers --provider ${packaged.packageName}   # also load this package (or a ./path.js)`]
      : []),
  ];
}

function verbHelpFooter(
  title: string,
  lines: string,
  examples: readonly string[],
  verb: string,
  first: AvailableProvider | undefined,
): string {
  return [
    '',
    title,
    lines,
    ...examplesSection([
      ...examples,
      ...(first ? [`coffer help ${verb} ${first.id}   # the options of one provider`] : []),
    ]),
  ].join('\n');
}

function visit(command: Command, callback: (command: Command, path: string[]) => void, path: string[] = []): void {
  callback(command, path);
  for (const child of command.commands) visit(child, callback, [...path, child.name()]);
}
