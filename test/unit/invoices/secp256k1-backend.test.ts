/**
 * Both secp256k1 backends (the native addon and the WebAssembly build) give the same answers, on
 * the BOLT11 spec vectors and on random signatures, so the platform decides only the speed.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
import { bytesToHex } from '@noble/hashes/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBech32 } from '../../../src/invoices/bech32.ts';
import { nativeBackend, secp256k1Backend, wasmBackend, type Secp256k1Backend } from '../../../src/invoices/secp256k1-backend.ts';
import { signingHash } from '../../../src/invoices/signature.ts';
import { wordsToBytesPadded } from '../../../src/invoices/words.ts';
import { loadSpecVectors } from '../../support/spec-vectors.ts';

const SPEC_PAYEE = '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad';
const SIGNATURE_WORDS = 104;
const N = secp256k1.CURVE.n;

const hasPrebuilt = (process.platform === 'linux' && process.arch === 'x64') || (process.platform === 'darwin' && process.arch === 'arm64');

describe('secp256k1 backend choice', () => {
  it('loads the native addon where the package ships a prebuilt one', () => {
    if (hasPrebuilt) expect(nativeBackend?.name).toBe('native');
    expect(secp256k1Backend.name).toBe(nativeBackend?.name ?? 'wasm');
  });
});

const backends: Secp256k1Backend[] = [wasmBackend, ...(nativeBackend ? [nativeBackend] : [])];

/** The valid spec vectors whose payee is the spec's node (all but none: every example is signed by it). */
function specSignatures(): { hash: Uint8Array; sig: Uint8Array; recid: 0 | 1 | 2 | 3 }[] {
  return loadSpecVectors()
    .filter((v) => v.valid)
    .map((v) => {
      const { hrp, words } = readBech32(v.invoice);
      const data = words.slice(0, -SIGNATURE_WORDS);
      const raw = wordsToBytesPadded(words.slice(-SIGNATURE_WORDS)).subarray(0, 65);
      const sig = secp256k1.Signature.fromBytes(raw.subarray(0, 64), 'compact').normalizeS().toBytes('compact');
      return { hash: signingHash(hrp.toLowerCase(), data), sig, recid: (raw[64] ?? 0) as 0 | 1 | 2 | 3 };
    });
}

describe.each(backends.map((b) => [b.name, b] as const))('%s backend', (_name, backend) => {
  it('recovers the spec payee from every valid BOLT11 spec vector, and verifies against it', () => {
    const sigs = specSignatures();
    expect(sigs).toHaveLength(15);
    const payee = Uint8Array.from(Buffer.from(SPEC_PAYEE, 'hex'));
    for (const { hash, sig, recid } of sigs) {
      const key = backend.recover(hash, sig, recid);
      expect(key && bytesToHex(key)).toBe(SPEC_PAYEE);
      expect(backend.verify(hash, payee, sig)).toBe(true);
    }
  });

  it('agrees with @noble/curves on random keys and messages, and refuses a flipped message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.bigInt({ min: 1n, max: N - 1n }), (hash, d) => {
        const priv = secp256k1.utils.normPrivateKeyToScalar(d);
        const privBytes = Uint8Array.from(Buffer.from(priv.toString(16).padStart(64, '0'), 'hex'));
        const pub = secp256k1.getPublicKey(privBytes, true);
        const s = secp256k1.sign(hash, privBytes, { lowS: true, prehash: false });
        const sig = s.toBytes('compact');
        const recovered = backend.recover(hash, sig, s.recovery as 0 | 1 | 2 | 3);
        expect(recovered && bytesToHex(recovered)).toBe(bytesToHex(pub));
        expect(backend.verify(hash, pub, sig)).toBe(true);
        const other = Uint8Array.from(hash);
        other[0] = (other[0] ?? 0) ^ 1;
        expect(backend.verify(other, pub, sig)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a high-S signature in verify, as BOLT11 requires with the n field', () => {
    const priv = new Uint8Array(32).fill(7);
    const hash = new Uint8Array(32).fill(9);
    const s = secp256k1.sign(hash, priv, { lowS: true, prehash: false });
    const high = new secp256k1.Signature(s.r, N - s.s).toBytes('compact');
    expect(backend.verify(hash, secp256k1.getPublicKey(priv, true), high)).toBe(false);
  });

  it('answers null when r is the x of no curve point, and throws on a public key off the curve', () => {
    // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
    const sig = new Uint8Array(64);
    sig[31] = 5;
    sig[63] = 1;
    expect(backend.recover(new Uint8Array(32).fill(1), sig, 0)).toBeNull();
    const offCurve = new Uint8Array(33);
    offCurve[0] = 2;
    offCurve[32] = 5;
    expect(() => backend.verify(new Uint8Array(32).fill(1), offCurve, sig)).toThrow();
  });
});
