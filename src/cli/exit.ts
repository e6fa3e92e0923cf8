/** The exit codes of every `withdrawals` command (listed in --help and docs/commands.md). */
export const EXIT = {
  /** Done; a long-running command stopped on SIGTERM or SIGINT (having given up on Redis or not). */
  ok: 0,
  /** Failed: items refused, failed, unsettled or paid twice, a withdrawal not found, Redis unusable. */
  failed: 1,
  /** The command line is wrong: unknown command or option, a missing or bad argument. */
  usage: 2,
  /** A bad environment variable (EX_CONFIG of sysexits.h); the message names it. */
  config: 78,
} as const;

/** The command line is wrong: exit 2 with the message (and no stack). */
export class UsageError extends Error {
  override name = 'UsageError';
}
