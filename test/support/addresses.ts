import { bech32 } from '@scure/base';

/** A valid regtest P2WPKH address, distinct for each `n` (its 20-byte program holds `n`). */
export function regtestAddress(n: number): string {
  const program = new Uint8Array(20);
  new DataView(program.buffer).setUint32(16, n);
  program[0] = 0x5a;
  return bech32.encode('bcrt', [0, ...bech32.toWords(program)]);
}
