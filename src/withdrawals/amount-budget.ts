/**
 * The most a batch may pay in total (MAX_BATCH_AMOUNT_MSAT). Items reserve their amount before
 * they are stored and give it back when they were not newly stored; JavaScript runs each
 * reserve-check-store step without interleaving the check, so concurrent items cannot overshoot.
 */
export class AmountBudget {
  private used: bigint;

  constructor(
    readonly limitMsat: bigint,
    alreadyAcceptedMsat: bigint,
  ) {
    this.used = alreadyAcceptedMsat;
  }

  reserve(amountMsat: bigint): boolean {
    if (this.used + amountMsat > this.limitMsat) return false;
    this.used += amountMsat;
    return true;
  }

  release(amountMsat: bigint): void {
    this.used -= amountMsat;
  }

  get remainingMsat(): bigint {
    return this.limitMsat - this.used;
  }
}
