import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { demo } from './commands/demo.ts';
import { serve } from '../../workers/service.ts';
import { status } from './commands/status.ts';

const USAGE = `usage: withdrawals <command>

  start                      HTTP API, dashboard and all workers in one process
  api                        HTTP API and dashboard only
  worker [--provider aurpay|turinpay] [--concurrency N]
                             submit and settle workers only
  demo [--count N] [--timeout SECONDS]
                             a batch of payouts through the sandbox providers, with a report
  batch FILE [--no-wait] [--producer NAME]
                             enqueue a CSV or NDJSON file as one batch (owned by NAME, default
                             "default") and wait for settlement
  status ID [--json]         one withdrawal and its history

Configuration comes from the environment (see README).`;

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'start':
      await serve({ api: true, workers: true, provider: values.provider, concurrency: values.concurrency });
      return -1;
    case 'api':
      await serve({ api: true, workers: false });
      return -1;
    case 'worker':
      await serve({ api: false, workers: true, provider: values.provider, concurrency: values.concurrency });
      return -1;
    case 'demo':
      return demo({ count: positiveInt('--count', values.count, 1000), timeoutS: positiveInt('--timeout', values.timeout, 600) });
    case 'status':
      return status(rest[0], values.json ?? false);
    case 'batch': {
      const { batch } = await import('./commands/batch.ts');
      return batch(rest[0], { wait: !values['no-wait'], producer: values.producer });
    }
    default:
      console.error(`unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}

function positiveInt(flag: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running command; it exits from its signal handler.
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`withdrawals: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  },
);
