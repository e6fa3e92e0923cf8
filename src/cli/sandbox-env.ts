/**
 * `withdrawals start --sandbox`: the environment of a service wired to loopback sandbox providers on
 * regtest, with no faults. Nothing of a real provider's configuration reaches it, and its Redis keys
 * sit under a fresh prefix unless QUEUE_PREFIX says otherwise.
 */
import { randomBytes } from 'node:crypto';
import { findOrStartRedis } from '../demo/find-redis.ts';
import type { PrivateRedis } from '../demo/redis-server.ts';
import { builtinProviders, sandboxVariables } from '../providers/index.ts';
import { startSandbox, type Sandbox } from '../providers/sandbox/index.ts';

/** The producer and operator names of generated tokens. */
export const SANDBOX_PRODUCER = 'sandbox';
export const SANDBOX_OPERATOR = 'sandbox-operator';
/** The first status check of a sandbox payout comes this soon (the sandbox answers at once). */
const SANDBOX_SETTLE_POLL_MS = '500';

export interface SandboxService {
  /** The environment to load the configuration from. */
  env: Record<string, string | undefined>;
  sandbox: Sandbox;
  redis: { url: string; private: PrivateRedis | null };
  /** The first producer token and the first operator token of that environment. */
  producerToken: { name: string; token: string };
  operatorToken: { name: string; token: string };
  close(): Promise<void>;
}

function generated(kind: string): string {
  return `sandbox-${kind}-${randomBytes(12).toString('hex')}`;
}

/** The first `name=token` (or bare token, named `default`) of a token list. */
function firstToken(list: string): { name: string; token: string } | null {
  const entry = list.split(',').map((s) => s.trim()).find((s) => s !== '');
  if (entry === undefined) return null;
  const eq = entry.indexOf('=');
  return eq < 0 ? { name: 'default', token: entry } : { name: entry.slice(0, eq).trim().toLowerCase(), token: entry.slice(eq + 1).trim() };
}

/** Every variable a provider definition reads: none of a real account's settings reach the sandbox service. */
function withoutProviderVariables(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const providerVars = new Set(builtinProviders.flatMap((d) => Object.keys(d.configSchema.shape)));
  return Object.fromEntries(Object.entries(env).filter(([k]) => !providerVars.has(k)));
}

/** Starts the sandbox providers (and a private Redis when none answers) and builds the service's environment. */
export async function prepareSandboxService(env: Record<string, string | undefined>): Promise<SandboxService> {
  const redis = await findOrStartRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let sandbox: Sandbox;
  try {
    // Its default API keys: `sandbox-<provider>-key`.
    sandbox = await startSandbox({ network: 'regtest', pendingLookups: 1 });
  } catch (err) {
    await redis.private?.stop();
    throw err;
  }
  const apiTokens = env.API_TOKENS?.trim() || `${SANDBOX_PRODUCER}=${generated('producer')}`;
  const operatorTokens = env.OPERATOR_TOKENS?.trim() || `${SANDBOX_OPERATOR}=${generated('operator')}`;
  const serviceEnv: Record<string, string | undefined> = {
    ...withoutProviderVariables(env),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: env.QUEUE_PREFIX?.trim() || `sandbox-${randomBytes(4).toString('hex')}`,
    API_TOKENS: apiTokens,
    OPERATOR_TOKENS: operatorTokens,
    LN_NETWORK: 'regtest',
    SETTLE_POLL_MS: env.SETTLE_POLL_MS ?? SANDBOX_SETTLE_POLL_MS,
    // The sandbox's Lightning Address server is on loopback, over plain http.
    LNURL_ALLOW_PRIVATE: 'true',
    ...sandboxVariables(builtinProviders, sandbox, (name) => `sandbox-${name}-key`),
  };
  const producerToken = firstToken(apiTokens);
  const operatorToken = firstToken(operatorTokens);
  if (!producerToken || !operatorToken) throw new Error('no token to print');
  return {
    env: serviceEnv,
    sandbox,
    redis,
    producerToken,
    operatorToken,
    close: async () => {
      await sandbox.close();
      await redis.private?.stop();
    },
  };
}

/** What `start --sandbox` prints once the API listens: the tokens and the next command to try. */
export function sandboxBanner(s: Pick<SandboxService, 'producerToken' | 'operatorToken' | 'sandbox' | 'redis'>, apiUrl: string, queuePrefix: string): string {
  const served = builtinProviders.flatMap((d) => {
    const url = Object.values(d.sandbox?.variables(s.sandbox, '') ?? {}).find((v) => v.startsWith('http'));
    return url ? [`${d.label} at ${url}`] : [];
  });
  return [
    `sandbox: ${served.join(' and ')} (loopback, no faults), LN_NETWORK=regtest: no real money moves`,
    `redis: ${s.redis.private ? `private at ${s.redis.url}` : s.redis.url}, QUEUE_PREFIX=${queuePrefix}`,
    `API: ${apiUrl}`,
    `producer token: ${s.producerToken.token} (${s.producerToken.name})`,
    `operator token: ${s.operatorToken.token} (${s.operatorToken.name})`,
    'next, pay a 360 sat invoice:',
    `  curl -s -H 'Authorization: Bearer ${s.producerToken.token}' -H 'content-type: application/json' \\`,
    `    -d '{"id":"payout-1","provider":"auto","invoice":"'"$(npx withdrawals invoice --sat 360)"'"}' \\`,
    `    ${apiUrl}/v1/withdrawals`,
    `  curl -s -H 'Authorization: Bearer ${s.producerToken.token}' ${apiUrl}/v1/withdrawals/payout-1`,
    'or pay 21 sat to a Lightning Address on the sandbox LNURL-pay server:',
    `  curl -s -H 'Authorization: Bearer ${s.producerToken.token}' -H 'content-type: application/json' \\`,
    `    -d '{"id":"tip-1","provider":"auto","lightningAddress":"${s.sandbox.lnurl.address('alice')}","amountMsat":"21000"}' \\`,
    `    ${apiUrl}/v1/withdrawals`,
  ].join('\n');
}
