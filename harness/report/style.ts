import chalk from 'chalk';

/*
 * Terminal colours through chalk, which jest prints its own messages with too: on for a terminal,
 * off for a file or a pipe; FORCE_COLOR=1 (2, 3) forces them, FORCE_COLOR=0 turns them off.
 * chalk 4 does not read NO_COLOR (no-color.org), so it is honoured here, on chalk itself so that
 * jest's messages follow, unless FORCE_COLOR is set as well.
 */
if (process.env.NO_COLOR && process.env.FORCE_COLOR === undefined) chalk.level = 0;

export const style = {
  pass: (text: string) => chalk.green(text),
  fail: (text: string) => chalk.red(text),
  warn: (text: string) => chalk.yellow(text),
  dim: (text: string) => chalk.dim(text),
  bold: (text: string) => chalk.bold(text),
};
