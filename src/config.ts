import { z } from 'zod';
import { DEFAULT_PRODUCER, PRODUCER_NAME, type Role } from './callers.ts';
import { httpUrl, int, optionalInt, optionalSecret, type VariablesSchema } from './config-fields.ts';
import { BITCOIN_SUPPLY_MSAT } from './money.ts';

const NETWORKS = ['bitcoin', 'testnet', 'signet', 'regtest'] as const;

/** An optional amount in millisatoshi, at most 21 million BTC: null when unset. */
const msat = () =>
  z
    .string()
    .regex(/^[0-9]{1,19}$/, 'must be a whole number of millisatoshi')
    // Refinements run after a failed regex too: BigInt() only on digits.
    .refine((v) => !/^[0-9]+$/.test(v) || BigInt(v) <= BITCOIN_SUPPLY_MSAT, `must be at most ${BITCOIN_SUPPLY_MSAT} (21 million BTC)`)
    .optional()
    .transform((v) => (v === undefined ? null : BigInt(v)));

const TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** `key=value,key2=value2` (values URL-encoded, as the OTel specification says); undefined when malformed. */
function otlpHeaders(raw: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) return undefined;
    try {
      out[key] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Every environment variable the service reads, with its default. The only reader of process.env. */
export const envSchema = z.object({
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^(rediss?|redis\+cluster|rediss\+cluster):\/\//.test(v), 'must start with redis://, rediss:// or redis+cluster://'),
  /** `host:port,host:port,...` of Redis Sentinels (null: none): connect to the primary they name and follow its failovers. */
  REDIS_SENTINELS: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? null : v))
    .refine((v) => v === null || v.split(',').every((hp) => /^\s*[A-Za-z0-9_.:\[\]-]+:[0-9]{1,5}\s*$/.test(hp)), 'must be host:port pairs, comma-separated'),
  /** The primary's name at the Sentinels. */
  REDIS_SENTINEL_NAME: z
    .string()
    .default('mymaster')
    .refine((v) => /^[A-Za-z0-9_.-]{1,64}$/.test(v), 'must be 1-64 characters of A-Z a-z 0-9 _ . -'),
  /** Replicas that must hold a write (Redis WAIT) before a 202 and before any provider call; 0: none waited for. */
  REDIS_MIN_REPLICAS_ACK: int(0, 0, 16),
  /** How long a write waits for those replicas. */
  REDIS_ACK_TIMEOUT_MS: int(1000, 10, 60000),
  QUEUE_PREFIX: z
    .string()
    .default('wd')
    .refine((v) => /^[A-Za-z0-9_.-]{1,32}$/.test(v), 'must be 1-32 characters of A-Z a-z 0-9 _ . -'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(3000, 0, 65535),
  /**
   * Where a `withdrawals worker` process serves /metrics, /healthz and /readyz (on HOST); unset: no
   * server. `start` and `api` serve them on PORT.
   */
  METRICS_PORT: optionalInt(0, 65535, 'a port number'),
  /**
   * Milliseconds a client has to send a whole request (headers and body) to the HTTP API; a body
   * that trickles in past it is cut off (408). @defaultValue 60000
   */
  REQUEST_TIMEOUT_MS: int(60000, 1000, 3600000),
  /** Requests per second one valid token may make to /v1/*, counted fleet-wide in Redis; unset: no limit. */
  API_RATE_LIMIT_PER_S: optionalInt(1, 1_000_000),
  /** Requests one token may have in flight at once in one API process; past it 429 `rate_limited`. */
  API_MAX_CONCURRENT_PER_TOKEN: int(64, 1, 100_000),
  /** Wrong bearer tokens one source address may send per minute (fleet-wide); past it every request of that address answers 429 until the minute ends. */
  API_AUTH_FAILURES_PER_MIN: int(100, 1, 1_000_000),
  /** Open connections one API process accepts; the ones past it are closed at once. */
  API_MAX_CONNECTIONS: int(2048, 1, 1_000_000),
  API_TOKENS: z.string().default(''),
  /** Operators' bearer tokens, same form as API_TOKENS: they read everything, resolve, approve and pay on-chain. */
  OPERATOR_TOKENS: z.string().default(''),
  DASHBOARD_USER: optionalSecret,
  DASHBOARD_PASSWORD: optionalSecret,
  LN_NETWORK: z.enum(NETWORKS, { error: `must be one of ${NETWORKS.join(', ')}` }).default('bitcoin'),
  PROVIDER_TIMEOUT_MS: int(15000, 100, 600000),
  SETTLE_POLL_MS: int(200, 10, 3600000),
  SETTLE_POLL_MAX_MS: int(300000, 10, 86400000),
  /** How long after the invoice expires reconciliation keeps trying before `needs_review`. */
  RECONCILE_GRACE_MS: int(3600000, 0, 30 * 86400000),
  /** Refuse invoices that expire within this many seconds (time enough to submit). */
  INVOICE_EXPIRY_MARGIN_S: int(60, 0, 86400),
  /** Largest amount of one withdrawal; never above 21 million BTC, which holds when it is unset. */
  MAX_AMOUNT_MSAT: z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number of millisatoshi')
    .refine((v) => !/^[0-9]+$/.test(v) || BigInt(v) <= BITCOIN_SUPPLY_MSAT, `must be at most ${BITCOIN_SUPPLY_MSAT} (21 million BTC)`)
    .optional()
    .transform((v) => (v === undefined ? null : BigInt(v))),
  /** Largest total amount one batch may carry; items past it are refused. */
  MAX_BATCH_AMOUNT_MSAT: msat(),
  /** Withdrawals of at least this amount wait in `awaiting_approval` until operators approve them. */
  APPROVAL_THRESHOLD_MSAT: msat(),
  /** Distinct operators who must approve one withdrawal held for approval. */
  APPROVALS_REQUIRED: int(1, 1, 10),
  /** Per producer, per UTC day: the total amount accepted, and the number of withdrawals. */
  LIMIT_DAILY_AMOUNT_MSAT: msat(),
  LIMIT_DAILY_COUNT: optionalInt(1, 100_000_000),
  /** Per producer, per UTC day: withdrawals it may create, cancelled and failed ones included (nothing is given back). */
  QUOTA_DAILY_CREATED: optionalInt(1, 100_000_000),
  /**
   * The order `provider: "auto"` tries providers in, comma-separated (default, null: every provider, in
   * the order of the provider definitions). That each name is a provider is checked where the enqueue
   * settings are built.
   */
  AUTO_PROVIDER_ORDER: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
    .pipe(z.array(z.string()).min(1, 'must name at least one provider'))
    .refine((list) => new Set(list).size === list.length, 'must name each provider once')
    .optional()
    .transform((v) => v ?? null),
  ALLOW_ONCHAIN: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  SUBMIT_CONCURRENCY: int(10, 1, 1000),
  /**
   * Threads that validate batch items (BOLT11 signatures) beside the thread that talks to Redis;
   * 0 validates in that thread. Unset (null): one per core beyond the first, at most 4, applied
   * where the validation threads are started.
   */
  VALIDATION_THREADS: z.coerce
    .number({ error: 'must be a whole number from 0 to 64' })
    .int('must be a whole number from 0 to 64')
    .min(0, 'must be at least 0')
    .max(64, 'must be at most 64')
    .optional()
    .transform((v) => v ?? null),
  SETTLE_CONCURRENCY: int(20, 1, 1000),
  /** How long a submit worker's lock lives without renewal: a crashed worker's withdrawal turns `unknown` after it. */
  SUBMIT_LOCK_MS: int(30000, 1000, 600000),
  SUBMIT_ATTEMPTS: int(8, 1, 100),
  SUBMIT_BACKOFF_MS: int(1000, 10, 600000),
  /** Consecutive unknown submit outcomes that pause a provider's submissions. */
  BREAKER_THRESHOLD: int(5, 1, 10000),
  /** How long a provider stays paused before one probe submission is tried. */
  BREAKER_COOLDOWN_MS: int(30000, 100, 86400000),
  SWEEP_EVERY_MS: int(10000, 100, 3600000),
  /** Seconds a finished (completed) job stays in Redis and the dashboard; failed ones stay 24 times longer. */
  JOB_RETENTION_S: int(3600, 1, 30 * 86400),
  /** At most this many completed jobs are kept per queue, whatever their age. */
  JOB_RETENTION_COUNT: int(10_000, 0, 10_000_000),
  /**
   * Seconds a withdrawal's history outlives its final status (succeeded, failed, cancelled); 0 keeps it
   * forever. The record itself (status, amounts, ids, times: the idempotency key) is always kept.
   */
  HISTORY_RETENTION_S: int(0, 0, 10 * 365 * 86400),
  /** Events kept in the event stream (approximately; older ones are trimmed); 0 keeps every event. */
  EVENTS_MAX_LEN: int(1_000_000, 0, 1_000_000_000),
  /**
   * Bytes each event stream (every owner's, and the one that orders them all) keeps at most, approximately
   * (its oldest entries are trimmed past it); 0: no byte budget, EVENTS_MAX_LEN alone.
   */
  EVENTS_MAX_BYTES: int(256 * 1024 * 1024, 0, 64 * 1024 * 1024 * 1024),
  /**
   * An endpoint from the configuration (besides those registered through the API); needs WEBHOOK_SECRET.
   * The URL, the secret and the event types are checked where the webhook settings are built.
   */
  WEBHOOK_URL: z.string().optional(),
  /** Its `whsec_` secret (base64 of 24 to 64 bytes). */
  WEBHOOK_SECRET: z.string().optional(),
  /** Its event types, comma-separated (default, null: all). */
  WEBHOOK_EVENTS: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? null : v.split(',').map((t) => t.trim()).filter((t) => t.length > 0))),
  /** Delivery attempts per event and endpoint; after the last one the job stays failed (the dead letter). */
  WEBHOOK_ATTEMPTS: int(10, 1, 100),
  /** First delay between delivery attempts; each later one doubles. */
  WEBHOOK_BACKOFF_MS: int(5000, 10, 3600000),
  /** How long one delivery may take (connect, answer, body) before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: int(10000, 100, 120000),
  /** Deliveries in flight per process (a separate queue: webhooks never hold up payouts). */
  WEBHOOK_CONCURRENCY: int(10, 1, 1000),
  /** Let webhook URLs reach loopback and private networks (off: refused at registration and at connect). */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** How long one request to a Lightning Address / LNURL-pay server may take. */
  LNURL_TIMEOUT_MS: int(10000, 100, 120000),
  /** How long a Lightning Address withdrawal retries a server that does not answer before it fails (`lnurl_unreachable`). */
  LNURL_RESOLVE_DEADLINE_MS: int(600000, 0, 86400000),
  /** Let Lightning Address / LNURL servers be on loopback or private networks, over plain http (tests, private deployments). */
  LNURL_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Let /metrics carry series labelled with producer names (the daily budgets); off, no producer or operator name appears there. */
  METRICS_PRODUCER_LABELS: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** Deliveries in flight to one owner's endpoints, across every process: a slow owner holds no more of the slots. */
  WEBHOOK_MAX_IN_FLIGHT_PER_OWNER: int(5, 1, 1000),
  /** Webhook replay requests one caller may make per minute (fleet-wide); past it 429 `rate_limited`. */
  WEBHOOK_REPLAYS_PER_MIN: int(10, 1, 100_000),
  /** Events one replay request redelivers at most; its answer's `next` goes on from there. */
  WEBHOOK_REPLAY_MAX: int(1000, 1, 100_000),
  /** Live deliveries one webhook endpoint may have waiting; past it new events are not queued for it (a replay sends them later). */
  WEBHOOK_MAX_WAITING_PER_ENDPOINT: int(10_000, 1, 1_000_000),
  /** Webhook endpoints one producer may register. */
  WEBHOOK_MAX_ENDPOINTS: int(16, 1, 1000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Traces (docs/operations.md, "Traces"): `service.name` of every span. */
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('withdrawals'),
  /** `true` turns traces off whatever else is set. */
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** `otlp`, `console` or `none`; unset: `otlp` when an OTLP endpoint is set, else traces are off. */
  OTEL_TRACES_EXPORTER: z.enum(TRACE_EXPORTERS, { error: `must be one of ${TRACE_EXPORTERS.join(', ')}` }).optional(),
  /** The collector's OTLP/HTTP base URL; traces go to `<url>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** The full URL traces are sent to, instead of `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  /** Headers of every export request, `key=value` comma-separated (a vendor's API key): a secret, never logged. */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const headers = v === undefined ? null : otlpHeaders(v);
      if (headers === undefined) ctx.addIssue({ code: 'custom', message: 'must be key=value pairs, comma-separated' });
      return headers ?? null;
    }),
  /** Which traces are kept: the standard sampler names. */
  OTEL_TRACES_SAMPLER: z.enum(TRACE_SAMPLERS, { error: `must be one of ${TRACE_SAMPLERS.join(', ')}` }).default('parentbased_always_on'),
  /** Traces on: also BullMQ's housekeeping spans (fetching jobs, stalled checks), ~1,500 an hour per idle worker. */
  TRACE_BULLMQ_HOUSEKEEPING: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** The ratio of the `traceidratio` samplers, 0 to 1. @defaultValue 1 */
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number from 0 to 1' })
    .min(0, 'must be at least 0')
    .max(1, 'must be at most 1')
    .default(1),
});

export type Network = (typeof NETWORKS)[number];

export interface ApiToken {
  name: string;
  token: string;
  role: Role;
}

/**
 * The configuration: the service's own variables, typed, and apart from them each provider
 * definition's variables (parsed by its `configSchema` in loadConfig), which only the provider's own
 * settings read.
 */
export type Config = Omit<z.infer<typeof envSchema>, 'API_TOKENS' | 'OPERATOR_TOKENS'> & {
  API_TOKENS: ApiToken[];
  OPERATOR_TOKENS: ApiToken[];
  /** Every variable of each provider schema loadConfig was given, by name (an unset optional one: undefined). */
  providerVariables: Readonly<Record<string, unknown>>;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A refusal naming each variable: `invalid configuration:` then one `  VARIABLE: problem` line per problem. */
export function configError(problems: readonly { variable: string; message: string }[]): ConfigError {
  return new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
}


/** The shortest bearer token either list accepts. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * `API_TOKENS` and `OPERATOR_TOKENS` are comma-separated lists; each entry is `token` or `name=token`.
 * A bare producer token belongs to the producer `default`, a bare operator token to `operator`.
 * The name is the owner of what a producer creates, and the actor operator actions record. An
 * operator's name is lower-cased: `Ana=...,ana=...` are two tokens of the one operator `ana`.
 */
function parseTokens(variable: string, raw: string, role: Role): ApiToken[] {
  const bareName = role === 'producer' ? DEFAULT_PRODUCER : 'operator';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((entry) => {
      const eq = entry.indexOf('=');
      const token = eq > 0 ? { name: entry.slice(0, eq).trim(), token: entry.slice(eq + 1).trim(), role } : { name: bareName, token: entry, role };
      if (!PRODUCER_NAME.test(token.name)) throw configError([{ variable, message: "a token's name must be 1-64 characters of A-Z a-z 0-9 . _ : -" }]);
      if (token.token.length < MIN_TOKEN_LENGTH) {
        throw configError([{ variable, message: `the token of ${JSON.stringify(token.name)} is too short: every token must be at least ${MIN_TOKEN_LENGTH} characters` }]);
      }
      return role === 'operator' ? { ...token, name: token.name.toLowerCase() } : token;
    });
}

/** No token in both lists, and no name that is a producer's and an operator's (compared lower-cased). */
function checkTokensApart(producers: readonly ApiToken[], operators: readonly ApiToken[]): void {
  const seen = new Set<string>();
  for (const t of [...producers, ...operators]) {
    if (seen.has(t.token)) throw configError([{ variable: 'API_TOKENS, OPERATOR_TOKENS', message: 'a token is listed twice; give every caller its own' }]);
    seen.add(t.token);
  }
  const operatorNames = new Set(operators.map((t) => t.name));
  const shared = producers.find((t) => operatorNames.has(t.name.toLowerCase()));
  if (shared) {
    throw configError([
      {
        variable: 'API_TOKENS, OPERATOR_TOKENS',
        message: `the name ${JSON.stringify(shared.name.toLowerCase())} is both a producer's and an operator's (names are compared lower-cased; a bare API_TOKENS token is named "default"): give each caller its own name`,
      },
    ]);
  }
}

/**
 * Validates the environment once; a bad value throws a ConfigError naming the variable. The providers'
 * variable schemas (each definition's `configSchema`; src/settings/ passes the runtime's) are merged
 * into the service's: a variable of no schema is not read.
 */
export function loadConfig(env: Record<string, string | undefined>, providerSchemas: readonly VariablesSchema[] = []): Config {
  const given = (schema: VariablesSchema): Record<string, string> => {
    const cleaned: Record<string, string> = {};
    for (const key of Object.keys(schema.shape)) {
      const value = env[key];
      if (value !== undefined && value !== '') cleaned[key] = value;
    }
    return cleaned;
  };
  const parsed = envSchema.safeParse(given(envSchema));
  const providers = providerSchemas.map((schema) => schema.safeParse(given(schema)));
  const issues = [parsed, ...providers].flatMap((result) => (result.success ? [] : result.error.issues));
  if (!parsed.success || issues.length > 0) {
    throw configError(issues.map((issue) => ({ variable: String(issue.path[0] ?? ''), message: issue.message })));
  }
  // Every variable of each schema is present (an unset optional one as undefined): the providers' settings tell a merged schema by it.
  const providerVariables: Record<string, unknown> = {};
  providerSchemas.forEach((schema, i) => {
    const data: Record<string, unknown> = providers[i]?.data ?? {};
    for (const key of Object.keys(schema.shape)) providerVariables[key] = data[key];
  });
  const tokens = parseTokens('API_TOKENS', parsed.data.API_TOKENS, 'producer');
  const operators = parseTokens('OPERATOR_TOKENS', parsed.data.OPERATOR_TOKENS, 'operator');
  checkTokensApart(tokens, operators);
  if ((parsed.data.WEBHOOK_URL === undefined) !== (parsed.data.WEBHOOK_SECRET === undefined)) {
    throw new ConfigError('invalid configuration:\n  WEBHOOK_URL, WEBHOOK_SECRET: set both or neither');
  }
  return { ...parsed.data, API_TOKENS: tokens, OPERATOR_TOKENS: operators, providerVariables };
}
