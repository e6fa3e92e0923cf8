/**
 * The sandbox's ambiguous refusals, seen through the real provider clients: `refuse_after_payment`
 * pays and then answers the explicit refusal envelope; `already_paid` refuses an invoice the
 * provider already paid (paying nothing more) and otherwise pays. Lookups find the payment either way.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createAurpayClient } from '../../../src/providers/aurpay/index.ts';
import { fixedFault, startSandbox, type Fault, type Sandbox } from '../../../src/providers/sandbox/index.ts';
import { createTurinpayClient } from '../../../src/providers/turinpay/index.ts';
import type { ProviderClient, SubmitRequest } from '../../../src/providers/types.ts';
import { AURPAY_KEY, makeInvoice, TURINPAY_KEY, type TestInvoice } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(fault: Fault): Promise<{ sandbox: Sandbox; aurpay: ProviderClient; turinpay: ProviderClient }> {
  const sandbox = await startSandbox({
    aurpay: { apiKey: AURPAY_KEY },
    turinpay: { apiKey: TURINPAY_KEY },
    faults: { aurpay: fixedFault(fault), turinpay: fixedFault(fault) },
    pendingLookups: 0,
  });
  const aurpay = createAurpayClient({ baseUrl: sandbox.aurpayUrl, apiKey: AURPAY_KEY, timeoutMs: 2000 });
  const turinpay = createTurinpayClient({ baseUrl: sandbox.turinpayUrl, apiKey: TURINPAY_KEY, network: 'regtest', timeoutMs: 2000 });
  cleanups.push(() => sandbox.close(), async () => aurpay.close?.(), async () => turinpay.close?.());
  return { sandbox, aurpay, turinpay };
}

function submitOf(inv: TestInvoice, id: string): SubmitRequest {
  return { withdrawalId: id, invoice: inv.invoice, address: null, paymentHash: inv.paymentHash, amountMsat: null, description: null };
}

function lookupOf(inv: TestInvoice, id: string) {
  return { withdrawalId: id, providerRef: null, paymentHash: inv.paymentHash, invoice: inv.invoice, amountMsat: 25_000n };
}

describe('refuse_after_payment', () => {
  test.each(['aurpay', 'turinpay'] as const)('%s pays, answers its refusal envelope, and its lookup finds the payment as paid', async (name) => {
    const { sandbox, ...clients } = await start('refuse_after_payment');
    const client = clients[name];
    const inv = makeInvoice(`rap-${name}`, 25_000n);
    const outcome = await client.submit(submitOf(inv, `w-rap-${name}`));
    expect(outcome).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/insufficient balance/) });
    expect(sandbox.ledger.paymentsFor(inv.paymentHash)).toMatchObject([{ provider: name, amountMsat: 25_000n }]);
    expect(await client.lookup(lookupOf(inv, `w-rap-${name}`))).toMatchObject({ kind: 'found', status: 'succeeded' });
    expect(sandbox.submitsFor(inv.paymentHash)).toEqual({ aurpay: name === 'aurpay' ? 1 : 0, turinpay: name === 'turinpay' ? 1 : 0 });
  });

  test('a provider out of balance still refuses it without paying', async () => {
    const { sandbox, aurpay } = await start('refuse_after_payment');
    sandbox.setBalance('aurpay', 0n);
    const inv = makeInvoice('rap-broke', 25_000n);
    expect(await aurpay.submit(submitOf(inv, 'w-rap-broke'))).toMatchObject({ kind: 'rejected' });
    expect(sandbox.ledger.paymentsFor(inv.paymentHash)).toEqual([]);
    expect(await aurpay.lookup(lookupOf(inv, 'w-rap-broke'))).toMatchObject({ kind: 'not_found' });
  });
});

describe('already_paid', () => {
  test.each(['aurpay', 'turinpay'] as const)('%s pays a first submit, refuses the second as already paid, pays nothing more', async (name) => {
    const { sandbox, ...clients } = await start('already_paid');
    const client = clients[name];
    const inv = makeInvoice(`ap-${name}`, 25_000n);
    const first = await client.submit(submitOf(inv, `w-ap-${name}`));
    expect(first).toMatchObject({ kind: 'accepted', status: 'succeeded' });
    const second = await client.submit(submitOf(inv, `w-ap-${name}`));
    expect(second).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/already paid/) });
    expect(sandbox.ledger.paymentsFor(inv.paymentHash)).toHaveLength(1);
    expect(sandbox.ledger.duplicates()).toEqual([]);
    const found = await client.lookup(lookupOf(inv, `w-ap-${name}`));
    expect(found).toMatchObject({ kind: 'found', status: 'succeeded' });
    if (first.kind !== 'accepted' || found.kind !== 'found') throw new Error('first submit not accepted, or payment not found');
    expect(found.providerRef).toBe(first.providerRef);
    expect(sandbox.ledger.paymentsFor(inv.paymentHash)[0]?.providerRef).toBe(first.providerRef);
    expect(sandbox.submitsFor(inv.paymentHash)[name]).toBe(2);
  });

  test("refuses only what this provider paid: the other provider's payment does not count", async () => {
    const { sandbox, aurpay, turinpay } = await start('already_paid');
    const inv = makeInvoice('ap-cross', 25_000n);
    expect(await turinpay.submit(submitOf(inv, 'w-ap-cross'))).toMatchObject({ kind: 'accepted' });
    expect(await aurpay.submit(submitOf(inv, 'w-ap-cross'))).toMatchObject({ kind: 'accepted' });
    expect(sandbox.ledger.paymentsFor(inv.paymentHash).map((p) => p.provider)).toEqual(['turinpay', 'aurpay']);
    expect(sandbox.submitsFor(inv.paymentHash)).toEqual({ aurpay: 1, turinpay: 1 });
  });

  test('an invoice never paid is paid as with no fault', async () => {
    const { sandbox, aurpay } = await start('already_paid');
    const inv = makeInvoice('ap-fresh', 25_000n);
    expect(await aurpay.submit(submitOf(inv, 'w-ap-fresh'))).toMatchObject({ kind: 'accepted', status: 'succeeded' });
    expect(sandbox.ledger.paymentsFor(inv.paymentHash)).toHaveLength(1);
  });
});

describe('submit counts per payment hash', () => {
  test('count every submit each provider received, refused or not, and nothing for an unseen hash', async () => {
    const { sandbox, aurpay, turinpay } = await start('refuse_after_payment');
    const inv = makeInvoice('count', 25_000n);
    for (let i = 0; i < 3; i++) await aurpay.submit(submitOf(inv, 'w-count'));
    await turinpay.submit(submitOf(inv, 'w-count'));
    expect(sandbox.submitsFor(inv.paymentHash)).toEqual({ aurpay: 3, turinpay: 1 });
    expect(sandbox.submitsFor(inv.paymentHash.toUpperCase())).toEqual({ aurpay: 3, turinpay: 1 });
    expect(sandbox.submitsFor(makeInvoice('never', 1000n).paymentHash)).toEqual({ aurpay: 0, turinpay: 0 });
    // Every refused-after-payment submit paid: the ledger keeps each one.
    expect(sandbox.ledger.paymentsFor(inv.paymentHash)).toHaveLength(4);
  });
});
