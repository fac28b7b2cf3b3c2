import { Hash } from '@smithy/hash-node';
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { derivedSigningKey, readSignature, signatureMatches } from '#sandbox/signing/signature.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('SigV4 signing keys derived once and reused', () => {
  it('are the key AWS documents for its example secret, date, region and service', () => {
    // "Examples of how to derive a signing key for Signature Version 4", AWS General Reference.
    const key = derivedSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam');
    expect(hex(key)).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('are the keys the SDK derives, for every secret, date, region and service asked', async () => {
    const sha256 = Hash.bind(null, 'sha256');
    for (const [secret, date, region, service] of [
      ['secret-one', '20261206', 'us-east-1', 'iam'],
      ['secret-one', '20261207', 'us-east-1', 'iam'],
      ['secret-one', '20261206', 'eu-west-1', 'iam'],
      ['secret-one', '20261206', 'us-east-1', 'states'],
      ['secret-two', '20261206', 'us-east-1', 'iam'],
    ] as const) {
      // Asked twice: the second answer comes from the cache and must be the same key.
      derivedSigningKey(secret, date, region, service);
      const sdk = await getSigningKey(
        sha256,
        { accessKeyId: 'AKIA', secretAccessKey: secret },
        date,
        region,
        service,
      );
      expect(hex(derivedSigningKey(secret, date, region, service))).toBe(hex(sdk));
    }
  });

  it('verify a signature made with the secret, and refuse one made with another secret for the same key id', async () => {
    const request = {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: '/',
      query: {},
      headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListUsers&Version=2010-05-08',
    };
    const sign = (secretAccessKey: string) =>
      new SignatureV4({
        service: 'iam',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIASIGNINGKEYTEST01', secretAccessKey },
        sha256: Hash.bind(null, 'sha256'),
      }).sign(request);
    const verify = async (signed: Awaited<ReturnType<typeof sign>>) => {
      const headers = Object.fromEntries(
        Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const claim = readSignature(headers, new URLSearchParams());
      if (typeof claim !== 'object') throw new Error('unsigned');
      return signatureMatches(
        {
          method: 'POST',
          rawPath: '/',
          query: new URLSearchParams(),
          headers,
          body: Buffer.from(request.body),
        },
        claim,
        { accessKeyId: 'AKIASIGNINGKEYTEST01', secretAccessKey: 'the-real-secret' },
        new Date(),
      );
    };
    expect(await verify(await sign('the-real-secret'))).toBe(true);
    // The real secret's key is now cached for this day, region and service: a forged one still fails.
    expect(await verify(await sign('a-guessed-secret'))).toBe(false);
    expect(await verify(await sign('the-real-secret'))).toBe(true);
  });
});
