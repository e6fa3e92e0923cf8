/** The `withdrawals` command: parses the command line and runs one command (bin/withdrawals.js starts it). */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { EXIT, UsageError } from '../src/cli/exit.ts';

// Each command is imported when it runs: `--help` and `--version` load none of the service.
const serve = async (opts: Parameters<typeof import('./service.ts').serve>[0]) => (await import('./service.ts')).serve(opts);

const USAGE = `usage: withdrawals <command>

  start [--sandbox]          HTTP API, dashboard and all workers in one process; --sandbox: paying
                             loopback sandbox providers on regtest (no provider account, no real
                             money), printing a producer token, an operator token and a command to try
  api                        HTTP API and dashboard only
  worker [--provider aurpay|turinpay] [--concurrency N]
                             submit and settle workers only
  demo [--count N] [--timeout SECONDS] [--json]
                             a batch of payouts through the sandbox providers, with a report
  batch FILE [--no-wait] [--producer NAME] [--json]
                             enqueue a CSV or NDJSON file as one batch (owned by NAME, default
                             "default") for the providers the running workers pay through (no
                             provider key needed), and wait for settlement
  status ID [--json]         one withdrawal and its history
  list [--status S] [--batch ID] [--producer NAME] [--limit N] [--cursor C] [--json]
                             withdrawals newest first (every producer's unless --producer), a page
                             of --limit (default 20); prints the command for the next page
  invoice --sat N            a fresh signed regtest BOLT11 invoice of N sat, which start --sandbox pays
  --version                  the package's version

--json prints the report (status: the record; list: the page) as one JSON document on stdout, and nothing else there.
Configuration comes from the environment (see docs/configuration.md).

Exit codes:
  0   done; start, api and worker: stopped on SIGTERM or SIGINT
  1   failed: batch: an item refused, failed, needing review or unsettled, or no worker running
      and no provider key set; demo: an item refused
      or unsettled, a payment made twice, or a record disagreeing with the ledger (its failed
      payouts are the sandbox's deliberate refusals: they do not fail it); status: not found;
      any command: Redis unusable (unreachable, or the start-up checks refuse it), a stop that failed
  2   usage: an unknown command or option, a missing or bad argument
  78  configuration: a bad environment variable, named in the message`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      provider: { type: 'string' },
      concurrency: { type: 'string' },
      count: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      producer: { type: 'string' },
      sandbox: { type: 'boolean' },
      status: { type: 'string' },
      batch: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      sat: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version) {
    console.log(packageVersion());
    return EXIT.ok;
  }
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? EXIT.ok : EXIT.usage;
  }
  if (values.sandbox && command !== 'start') throw new UsageError('--sandbox goes with start only');
  switch (command) {
    case 'start':
      await serve({ api: true, workers: true, provider: values.provider, concurrency: values.concurrency, sandbox: values.sandbox ?? false });
      return -1;
    case 'list':
      return (await import('../src/cli/commands/list.ts')).list({
        status: values.status,
        batch: values.batch,
        producer: values.producer,
        limit: values.limit,
        cursor: values.cursor,
        json: values.json ?? false,
      });
    case 'invoice':
      return (await import('../src/cli/commands/invoice.ts')).invoice(values.sat);
    case 'api':
      await serve({ api: true, workers: false });
      return -1;
    case 'worker':
      await serve({ api: false, workers: true, provider: values.provider, concurrency: values.concurrency });
      return -1;
    case 'demo':
      return (await import('../src/cli/commands/demo.ts')).demo({ count: positiveInt('--count', values.count, 1000), timeoutS: positiveInt('--timeout', values.timeout, 600), json: values.json ?? false });
    case 'status':
      return (await import('../src/cli/commands/status.ts')).status(rest[0], values.json ?? false);
    case 'batch': {
      const { batch } = await import('../src/cli/commands/batch.ts');
      return batch(rest[0], { wait: !values['no-wait'], producer: values.producer, json: values.json ?? false });
    }
    default:
      console.error(`unknown command ${command}\n\n${USAGE}`);
      return EXIT.usage;
  }
}

/** The version in the package's own package.json, found by name from src/ and from dist/ alike. */
function packageVersion(): string {
  const pkg: unknown = createRequire(import.meta.url)('withdrawals/package.json');
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}

/** node:util parseArgs's own errors: the command line is wrong. */
const PARSE_ARGS_ERRORS = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']);

function exitCodeOf(err: unknown): number {
  // By name: config.ts (and zod with it) is not loaded for --help.
  if (err instanceof Error && err.name === 'ConfigError') return EXIT.config;
  if (err instanceof UsageError) return EXIT.usage;
  const code: unknown = err instanceof Error ? Reflect.get(err, 'code') : undefined;
  return typeof code === 'string' && PARSE_ARGS_ERRORS.has(code) ? EXIT.usage : EXIT.failed;
}

function positiveInt(flag: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running command; it exits from its signal handler.
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof Error && err.name === 'ConfigError') console.error(err.message);
    else console.error(`withdrawals: ${err instanceof Error ? err.message : String(err)}`);
    const code = exitCodeOf(err);
    if (code === EXIT.usage) console.error('(withdrawals --help lists the commands, options and exit codes)');
    process.exit(code);
  },
);
