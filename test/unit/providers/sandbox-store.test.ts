/** The sandbox's pending withdrawals: ended by reads (`pendingLookups`) or by time (`settleAfterMs`). */
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/providers/sandbox/ledger.ts';
import { TxStore, type NewTx } from '../../../src/providers/sandbox/store.ts';

const pending = (paymentHash: string): NewTx => ({
  paymentHash,
  invoice: `lnbcrt-${paymentHash}`,
  amountMsat: 5000n,
  feeMsat: 5n,
  description: null,
  fault: 'pending_then_success',
  pending: true,
  finalState: 'paid',
});

describe('TxStore', () => {
  it('ends a pending withdrawal after pendingLookups reads when no settle time is set', () => {
    const store = new TxStore('turinpay', new Ledger(), 2);
    const tx = store.create(pending('aa'));
    expect([1, 2, 3].map(() => store.observe(tx).state)).toEqual(['pending', 'pending', 'paid']);
  });

  it('with a settle time, answers pending until that long after the submit however many reads, then paid', () => {
    const ledger = new Ledger();
    const store = new TxStore('aurpay', ledger, 0, 1500);
    const tx = store.create(pending('bb'));
    const created = tx.createdAt.getTime();
    for (const at of [0, 500, 1000, 1499]) expect(store.observe(tx, created + at).state).toBe('pending');
    expect(ledger.payments()).toEqual([]);
    expect(store.observe(tx, created + 1500).state).toBe('paid');
    expect(ledger.paymentsFor('bb')).toHaveLength(1);
  });

  it('applies a changed settle time to withdrawals recorded after the change only', () => {
    const store = new TxStore('turinpay', new Ledger(), 0, 10_000);
    const before = store.create(pending('cc'));
    store.setSettleAfter(null);
    const after = store.create(pending('dd'));
    expect(store.observe(before, before.createdAt.getTime() + 1).state).toBe('pending');
    expect(store.observe(after).state).toBe('paid');
  });

  it('holds back what pending withdrawals that will be paid are to take, until each ends', () => {
    const store = new TxStore('turinpay', new Ledger(), 1);
    store.setBalance(12_000n);
    const first = store.create(pending('ee'));
    // 12,000 less the 5,005 the first will take: room for 6,995 more.
    expect([store.canPay(6_995n), store.canPay(6_996n)]).toEqual([true, false]);
    store.create({ ...pending('ff'), finalState: 'failed' });
    // One that will fail takes nothing.
    expect(store.canPay(6_995n)).toBe(true);
    store.observe(first);
    store.observe(first);
    expect(first.state).toBe('paid');
    // Paid now: taken from the balance, no longer held besides it.
    expect([store.balanceMsat, store.canPay(6_995n), store.canPay(6_996n)]).toEqual([6_995n, true, false]);
  });

  it('finds a withdrawal by id, the most recent of that id', () => {
    const store = new TxStore('turinpay', new Ledger(), 0);
    store.create({ ...pending('gg'), id: 'same' });
    const later = store.create({ ...pending('hh'), id: 'same' });
    expect(store.byId('same')).toBe(later);
    expect(store.byId('other')).toBeUndefined();
  });
});

