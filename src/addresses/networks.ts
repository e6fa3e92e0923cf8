/** Per-network address parameters (Bitcoin Core chainparams): base58 version bytes and segwit hrps. */
import type { Network } from '../invoices/network.ts';

export interface AddressParams {
  /** Base58check version byte of pay-to-pubkey-hash addresses. */
  p2pkh: number;
  /** Base58check version byte of pay-to-script-hash addresses. */
  p2sh: number;
  /** BIP-173 human-readable part of segwit addresses. */
  hrp: string;
}

const MAIN: AddressParams = { p2pkh: 0x00, p2sh: 0x05, hrp: 'bc' };
// testnet, signet and regtest share base58 versions; signet also shares testnet's hrp.
const TEST: AddressParams = { p2pkh: 0x6f, p2sh: 0xc4, hrp: 'tb' };

export const ADDRESS_PARAMS: Readonly<Record<Network, AddressParams>> = {
  bitcoin: MAIN,
  testnet: TEST,
  signet: TEST,
  regtest: { ...TEST, hrp: 'bcrt' },
};

/** Human names for a segwit hrp, to say which network an address belongs to. */
export const HRP_NETWORKS: Readonly<Record<string, string>> = {
  bc: 'bitcoin (mainnet)',
  tb: 'testnet or signet',
  bcrt: 'regtest',
};

/** Human name for a base58 version byte. */
export function base58VersionNetwork(version: number): string | null {
  if (version === MAIN.p2pkh || version === MAIN.p2sh) return 'bitcoin (mainnet)';
  if (version === TEST.p2pkh || version === TEST.p2sh) return 'testnet, signet or regtest';
  return null;
}
