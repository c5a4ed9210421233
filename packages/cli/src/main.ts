import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ErrorCode, HRESULT, serializeError, toCofferError } from '@coffer/core';
import type { CliContext } from './cli-context.js';
import { failWith, usageError } from './commands/operation-output.js';
import { defaultIo, type CliIo } from './io.js';
import { ExitCode } from './output/exit-codes.js';
import { Output } from './output/output.js';
import { colorWanted } from './output/style.js';
import {
  SecretFlagError,
  addDiffGpoFallback,
  addDiffOwnOptions,
  addGlobalOptions,
  buildProgram,
  unavailableProvider,
} from './program.js';
import { CLI_PACKAGE_DIRECTORY, discoverProviders, type ProviderRegistry } from './providers/provider-registry.js';

/**
 * Runs the coffer command line and resolves with its exit code; it never calls
 * process.exit, so tests and wrappers can call it in-process. The binary is a thin
 * shell around it that wires Ctrl-C to `io.signal`.
 */
export async function main(argv: readonly string[], overrides: Partial<CliIo> = {}): Promise<number> {
  const io = defaultIo(overrides);
  const { flags, command, help, version } = readGlobalOptions(argv);
  const output = new Output(io, {
    json: flags.json,
    color: colorWanted({ flag: flags.color, env: io.env, isTTY: io.stderr.isTTY === true, json: flags.json }),
  });
  const context: CliContext = {
    io,
    output,
    registry: emptyRegistry(),
    signal: io.signal ?? new AbortController().signal,
    exitCode: ExitCode.Succeeded,
  };

  const projectDirectory = resolve(io.cwd, flags.cwd ?? '.');
  if (!(await stat(projectDirectory).catch(() => undefined))?.isDirectory()) {
    usageError(
      context,
      `The project directory ${projectDirectory} (--cwd) does not exist.`,
      'Name an existing folder with --cwd, or leave it out to use the current one.',
    );
    return context.exitCode;
  }
  // `verify` and `prune` work on Coffer's own manifests (core alone) and need no provider: an hourly prune does not
  // load every provider's libraries to remove folders. `report` and `diff` read GPO backups with @coffer/gpmc alone
  // (see readsBackupsOnly); everything else may, and so does `verify --help` (its examples come from the providers).
  // `coffer --version` alone prints the version, whatever providers there are.
  const versionOnly = version && !help && command === undefined;
  const coreOnly = (command === 'verify' || command === 'prune') && !help;
  if (!coreOnly && !versionOnly && !readsBackupsOnly(command, argv, help)) {
    context.registry = await discoverProviders({
      projectDirectory,
      workingDirectory: io.cwd,
      flagProviders: flags.providers,
    });
    if (!['providers', 'help'].includes(command ?? 'help')) warnAboutLoadFailures(context);
  }

  const program = buildProgram(context, cliVersion());
  // `coffer drm …` where the built-in drm provider is not installed: say which package to install, not "unknown command".
  if (
    command !== undefined &&
    !program.commands.some((c) => c.name() === command || c.aliases().includes(command)) &&
    unavailableProvider(context, command, undefined)
  )
    return context.exitCode;
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(context, error);
    if (error instanceof SecretFlagError) {
      usageError(context, error.message, error.hint);
      return context.exitCode;
    }
    // Actions turn every failure into a result; reaching here is a defect in the CLI, reported like any failure.
    const failure = toCofferError(error);
    failWith(context, serializeError(failure), ExitCode.Failed);
  }
  return context.exitCode;
}

/**
 * `coffer report`, and `coffer diff` of two backups, read backups with @coffer/gpmc (gpmc-loader finds it beside the
 * gpo provider without loading it): discovering the providers (loading every one and describing its options) would
 * cost more than a report of hundreds of GPOs. `diff --live`, an option `diff` only has from the gpo provider, and
 * help pages (they show the providers' options and examples) still discover them. Commander reads the line with
 * diff's own option definitions, as the real parse will.
 */
function readsBackupsOnly(command: string | undefined, argv: readonly string[], help: boolean): boolean {
  if (help) return false;
  if (command === 'report') return true;
  if (command !== 'diff') return false;
  const diff = addDiffGpoFallback(addDiffOwnOptions(addGlobalOptions(new Command('diff'))))
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  let unknown: string[];
  try {
    unknown = diff.parseOptions([...argv]).unknown;
  } catch {
    return false; // an option without its value: the real parse, with providers, says so
  }
  return diff.opts<{ live?: boolean }>().live !== true && unknown.length === 0;
}

function commanderExit(context: CliContext, error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Succeeded;
  // commander has already printed the message (with a suggestion for a mistyped flag); JSON mode also gets a result line.
  if (context.output.json) {
    context.output.line({
      type: 'result',
      status: 'failed',
      exitCode: ExitCode.Usage,
      error: {
        code: ErrorCode.InvalidArgument,
        message: error.message.replace(/^error: /, ''),
        hresult: HRESULT.E_INVALIDARG,
        hresultHex: '0x80070057',
        hresultName: 'E_INVALIDARG',
      },
    });
  }
  return ExitCode.Usage;
}

interface GlobalFlags {
  cwd: string | undefined;
  providers: string[];
  json: boolean;
  /** false with --no-color; undefined when not given (the environment and the terminal decide). */
  color: boolean | undefined;
}

/**
 * The global options decide which providers load and how output looks, so they are read before the command tree
 * exists: by commander, with a program that knows only them and lets every other word through (the real parse that
 * follows reports whatever is wrong with the line). Also returns the first operand, the command word.
 */
function readGlobalOptions(argv: readonly string[]): {
  flags: GlobalFlags;
  command: string | undefined;
  help: boolean;
  version: boolean;
} {
  const globals = addGlobalOptions(
    new Command('coffer')
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption(false)
      // Only noted here (the tree prints them): a help page needs the providers, whose examples it shows; the
      // version alone does not.
      .option('-h, --help')
      .option('-V, --version')
      .exitOverride()
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined }),
  );
  let operands: string[] = [];
  try {
    operands = globals.parseOptions([...argv]).operands;
  } catch {
    // `--cwd` without its value: the real parse says so, with the usage.
  }
  const options = globals.opts<{
    cwd?: string;
    provider?: string[];
    json?: boolean;
    color?: boolean;
    help?: boolean;
    version?: boolean;
  }>();
  return {
    flags: {
      cwd: options.cwd,
      providers: options.provider ?? [],
      json: options.json === true,
      color: globals.getOptionValueSource('color') === 'cli' ? options.color : undefined,
    },
    command: operands[0],
    help: options.help === true,
    version: options.version === true,
  };
}

/** One line, not one per provider: the details are what `coffer providers` is for. */
function warnAboutLoadFailures(context: CliContext): void {
  const { failed } = context.registry;
  if (failed.length === 0) return;
  const message = {
    severity: 'warning' as const,
    code: ErrorCode.ProviderLoadFailed,
    message: `${failed.length} provider${failed.length === 1 ? '' : 's'} failed to load (${failed.map((f) => f.specifier).join(', ')}); run 'coffer providers' for details.`,
  };
  if (context.output.json) context.output.line({ type: 'message', ...message });
  else context.output.message(message);
}

function emptyRegistry(): ProviderRegistry {
  return { available: [], failed: [], missing: [], find: () => undefined, findUnavailableBuiltin: () => undefined };
}

let version: string | undefined;
function cliVersion(): string {
  version ??= (JSON.parse(readFileSync(join(CLI_PACKAGE_DIRECTORY, 'package.json'), 'utf8')) as { version: string })
    .version;
  return version;
}
