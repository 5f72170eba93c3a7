// Subcommands besides the default `cid <owner/repo> …` form. The default form is commander's
// default command, so any other first word can be a subcommand of its own.
//
// To add `cid local [PATH]`: write cli/local-command.ts exporting
//   export const registerLocalCommand: SubcommandRegistrar = (program, ctx) => {
//     program.command('local [path]').description('…').action(async (path, opts, cmd) => { … ctx.exitCode = …; });
//   };
// then import it here and list it below. Global options (--api, --token, --json) reach the
// action through cmd.optsWithGlobals(); write output with ctx.io.out / ctx.io.err.
import type { SubcommandRegistrar } from './cli-context.ts';
import { registerLocalCommand } from './local-command.ts';
import { registerOpamCommand } from './opam-command.ts';
import { registerRunnersCommand } from './runners-command.ts';

export const SUBCOMMANDS: SubcommandRegistrar[] = [registerLocalCommand, registerOpamCommand, registerRunnersCommand];
