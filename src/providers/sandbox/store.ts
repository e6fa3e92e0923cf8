/**
 * The withdrawals one fake provider has recorded, and their pending → terminal progression.
 * A withdrawal that ends paid is written to the ledger at the moment it becomes paid.
 */
import { randomUUID } from 'node:crypto';
import type { Fault } from './faults.ts';
import type { Ledger, SandboxProvider } from './ledger.ts';

export type TxState = 'pending' | 'paid' | 'failed';

export interface SandboxTx {
  /** Provider-side id (Aurpay tx_id uuid; TurinPay uses the payment hash). */
  id: string;
  seq: number;
  paymentHash: string;
  /** Invoice, or on-chain address. */
  invoice: string;
  amountMsat: bigint;
  feeMsat: bigint;
  description: string | null;
  fault: Fault;
  state: TxState;
  /** Where a pending withdrawal ends. */
  finalState: 'paid' | 'failed';
  lookups: number;
  /** Ms after its submit a pending withdrawal reaches its end; null: after `pendingLookups` reads. */
  settleAfterMs: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** Provider balance after this withdrawal was debited (msat); null while not paid. */
  balanceAfterMsat: bigint | null;
}

export interface NewTx {
  id?: string;
  paymentHash: string;
  invoice: string;
  amountMsat: bigint;
  feeMsat: bigint;
  description: string | null;
  fault: Fault;
  pending: boolean;
  finalState: 'paid' | 'failed';
}

/** Every bitcoin there is: a sandbox account runs out only when a test sets a balance. */
const START_BALANCE_MSAT = 2_100_000_000_000_000_000n;

export class TxStore {
  readonly #txs: SandboxTx[] = [];
  /** The most recent withdrawal of each id. */
  readonly #byId = new Map<string, SandboxTx>();
  /** What pending withdrawals that will end paid are to take from the balance (msat, fees included). */
  #reservedMsat = 0n;
  /** Payment hashes this provider has paid (lower case). */
  readonly #paid = new Set<string>();
  #balanceMsat = START_BALANCE_MSAT;
  readonly #provider: SandboxProvider;
  readonly #ledger: Ledger;
  readonly #pendingLookups: number;
  /** When set, a pending withdrawal reaches its end this long after it was recorded, whatever the reads. */
  #settleAfterMs: number | null;

  constructor(provider: SandboxProvider, ledger: Ledger, pendingLookups: number, settleAfterMs: number | null = null) {
    this.#provider = provider;
    this.#ledger = ledger;
    this.#pendingLookups = pendingLookups;
    this.#settleAfterMs = settleAfterMs;
  }

  /** Pending withdrawals recorded from now on end `ms` after their submit (null: after `pendingLookups` reads). */
  setSettleAfter(ms: number | null): void {
    this.#settleAfterMs = ms;
  }

  get balanceMsat(): bigint {
    return this.#balanceMsat;
  }

  /** Sets the account's balance (a provider run out of money: `setBalance(0n)`). */
  setBalance(msat: bigint): void {
    this.#balanceMsat = msat;
  }

  /** Whether the balance covers `msat` beside what pending payments will take: else the provider refuses. */
  canPay(msat: bigint): boolean {
    return this.#balanceMsat - this.#reservedMsat >= msat;
  }

  create(input: NewTx): SandboxTx {
    const now = new Date();
    const tx: SandboxTx = {
      id: input.id ?? randomUUID(),
      seq: this.#txs.length + 1,
      paymentHash: input.paymentHash,
      invoice: input.invoice,
      amountMsat: input.amountMsat,
      feeMsat: input.feeMsat,
      description: input.description,
      fault: input.fault,
      state: 'pending',
      finalState: input.finalState,
      lookups: 0,
      settleAfterMs: this.#settleAfterMs,
      createdAt: now,
      updatedAt: now,
      balanceAfterMsat: null,
    };
    this.#txs.push(tx);
    this.#byId.set(tx.id, tx);
    if (tx.finalState === 'paid') this.#reservedMsat += tx.amountMsat + tx.feeMsat;
    if (!input.pending) this.#settle(tx, input.finalState);
    return tx;
  }

  /**
   * One status read of `tx`: a pending withdrawal answers pending for `pendingLookups` reads (or,
   * with a settle time, until that long after its submit), then reaches its final state (and the
   * ledger, if paid).
   */
  observe(tx: SandboxTx, nowMs = Date.now()): SandboxTx {
    if (tx.state !== 'pending') return tx;
    const due = tx.settleAfterMs === null ? tx.lookups >= this.#pendingLookups : nowMs - tx.createdAt.getTime() >= tx.settleAfterMs;
    if (due) this.#settle(tx, tx.finalState);
    else tx.lookups += 1;
    return tx;
  }

  /** Whether this provider has already paid the invoice with this payment hash. */
  hasPaid(paymentHash: string): boolean {
    return this.#paid.has(paymentHash.toLowerCase());
  }

  /** Newest first. */
  list(): SandboxTx[] {
    return [...this.#txs].reverse();
  }

  /** The most recent withdrawal with this id. */
  byId(id: string): SandboxTx | undefined {
    return this.#byId.get(id);
  }

  #settle(tx: SandboxTx, state: 'paid' | 'failed'): void {
    if (tx.finalState === 'paid') this.#reservedMsat -= tx.amountMsat + tx.feeMsat;
    tx.state = state;
    tx.updatedAt = new Date();
    if (state !== 'paid') return;
    this.#balanceMsat -= tx.amountMsat + tx.feeMsat;
    tx.balanceAfterMsat = this.#balanceMsat;
    this.#paid.add(tx.paymentHash.toLowerCase());
    this.#ledger.record({
      provider: this.#provider,
      paymentHash: tx.paymentHash,
      invoice: tx.invoice,
      amountMsat: tx.amountMsat,
      providerRef: tx.id,
    });
  }
}
