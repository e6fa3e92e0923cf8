/**
 * Child process of the invoice pool: writes `--count` signed regtest invoices, one per line, to
 * `--out`. Signing is CPU-bound, so the pool runs one of these per core.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { payeeInvoice } from '../src/demo/payee.ts';
import { benchAmountMsat, INVOICE_EXPIRY_S } from './invoice-pool.ts';

const { values } = parseArgs({ options: { from: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' } } });
const from = Number(values.from ?? 0);
const count = Number(values.count ?? 0);
if (!values.out || !Number.isInteger(from) || !Number.isInteger(count)) throw new Error('usage: invoice-gen --from I --count N --out FILE');
const lines: string[] = [];
for (let i = from; i < from + count; i++) {
  lines.push(payeeInvoice({ network: 'regtest', amountMsat: benchAmountMsat(i), expirySeconds: INVOICE_EXPIRY_S }).invoice);
}
writeFileSync(values.out, `${lines.join('\n')}\n`);
