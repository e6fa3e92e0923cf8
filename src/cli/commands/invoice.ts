import { payeeInvoice } from '../../demo/payee.ts';
import { UsageError } from '../exit.ts';

/** 21 million BTC in sat: no invoice asks for more. */
const MAX_SAT = 2_100_000_000_000_000n;

/**
 * `withdrawals invoice --sat N`: prints a fresh, validly signed regtest BOLT11 invoice of N sat
 * (one hour to expiry, a throwaway payee key), the kind `withdrawals start --sandbox` pays.
 */
export function invoice(sat: string | undefined): number {
  if (sat === undefined || !/^[1-9][0-9]{0,18}$/.test(sat) || BigInt(sat) > MAX_SAT) {
    throw new UsageError('usage: withdrawals invoice --sat N (N: a whole number of sat, 1 to 2100000000000000)');
  }
  const { invoice: text } = payeeInvoice({ network: 'regtest', amountMsat: BigInt(sat) * 1000n, description: `sandbox payout of ${sat} sat` });
  console.log(text);
  return 0;
}
