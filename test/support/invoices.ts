import { payeeInvoice } from '../../src/demo/payee.ts';

let seq = 0;

/** A withdrawal body with a fresh regtest invoice. */
export function withdrawalBody(provider: 'aurpay' | 'turinpay', amountMsat = 25_000_000n, over: Record<string, unknown> = {}) {
  const { invoice, paymentHash } = payeeInvoice({ network: 'regtest', amountMsat });
  return { body: { id: `w-${Date.now()}-${seq++}`, provider, invoice, ...over }, paymentHash };
}
