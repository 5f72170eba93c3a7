// What every command gets: where to write, the environment, and a place for the exit status.
import type { Command } from 'commander';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Colour and live output only on a terminal. */
  isTTY: boolean;
}

export interface CliContext {
  io: CliIO;
  /** Set by a command to say how it ended; 0 unless a command says otherwise. */
  exitCode: number;
}

/** Adds one subcommand to the program (see subcommands.ts). */
export type SubcommandRegistrar = (program: Command, ctx: CliContext) => void;
