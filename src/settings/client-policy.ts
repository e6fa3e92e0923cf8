import { configError, type Config } from '../config.ts';

/**
 * The money policy's variables: the library client reads each from the environment, as the API
 * does, and an option of the same meaning can only tighten one that is set.
 */
export const POLICY_VARIABLES = [
  'APPROVAL_THRESHOLD_MSAT',
  'APPROVALS_REQUIRED',
  'LIMIT_DAILY_AMOUNT_MSAT',
  'LIMIT_DAILY_COUNT',
  'QUOTA_DAILY_CREATED',
  'MAX_AMOUNT_MSAT',
  'AUTO_PROVIDER_ORDER',
  'ALLOW_ONCHAIN',
  'INVOICE_EXPIRY_MARGIN_S',
  'LNURL_ALLOW_PRIVATE',
] as const;

export type PolicyVariable = (typeof POLICY_VARIABLES)[number];

type Env = Record<string, string | undefined>;

/** Set as loadConfig tells it: present and not empty. */
export const isSet = (env: Env, variable: string): boolean => env[variable] !== undefined && env[variable] !== '';

/** The lower of two limits, where null is no limit. */
function lower<T extends number | bigint>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** The option's order, keeping only providers the variable lists: a list the variable's excludes none of. */
function narrowedOrder(option: string[] | null, variable: string[] | null): string[] | null {
  if (option === null || variable === null) return option ?? variable;
  const kept = option.filter((name) => variable.includes(name));
  if (kept.length === 0) {
    throw configError([{ variable: 'AUTO_PROVIDER_ORDER', message: `the autoProviderOrder option names none of the providers it lists (${variable.join(', ')})` }]);
  }
  return kept;
}

/**
 * The policy of `config` (each option where one is given, else its variable), where `both` an option
 * and the variable (`fromEnv`) are set made the stricter of the two: the lower threshold and limits,
 * the more approvals, the wider expiry margin, on-chain (and private Lightning Address hosts) only when both allow it, and auto routing
 * among the providers both name.
 */
export function stricterPolicy(config: Config, fromEnv: Config, both: ReadonlySet<PolicyVariable>): Pick<Config, PolicyVariable> {
  const pick = <K extends PolicyVariable>(k: K, stricter: (option: Config[K], env: Config[K]) => Config[K]): Config[K] =>
    both.has(k) ? stricter(config[k], fromEnv[k]) : config[k];
  return {
    APPROVAL_THRESHOLD_MSAT: pick('APPROVAL_THRESHOLD_MSAT', lower),
    APPROVALS_REQUIRED: pick('APPROVALS_REQUIRED', Math.max),
    LIMIT_DAILY_AMOUNT_MSAT: pick('LIMIT_DAILY_AMOUNT_MSAT', lower),
    LIMIT_DAILY_COUNT: pick('LIMIT_DAILY_COUNT', lower),
    QUOTA_DAILY_CREATED: pick('QUOTA_DAILY_CREATED', lower),
    MAX_AMOUNT_MSAT: pick('MAX_AMOUNT_MSAT', lower),
    AUTO_PROVIDER_ORDER: pick('AUTO_PROVIDER_ORDER', narrowedOrder),
    ALLOW_ONCHAIN: pick('ALLOW_ONCHAIN', (a, b) => a && b),
    INVOICE_EXPIRY_MARGIN_S: pick('INVOICE_EXPIRY_MARGIN_S', Math.max),
    LNURL_ALLOW_PRIVATE: pick('LNURL_ALLOW_PRIVATE', (a, b) => a && b),
  };
}
