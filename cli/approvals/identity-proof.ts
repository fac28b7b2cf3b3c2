import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  APPROVAL_HEADER,
  GET_CALLER_IDENTITY_BODY,
  type IdentityProof,
} from '#shared/approvals/identity-proof.ts';

/** AWS credentials, or a provider of them (what the SDK clients take). */
export type Credentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>);

/**
 * Sign (but do not send) an STS GetCallerIdentity request with the caller's credentials, bound
 * to one approval and one decision by a signed header. The decision function sends it to STS
 * and learns the caller's ARN from STS's answer: the caller's secret never leaves this machine.
 */
export async function signIdentityProof(input: {
  purpose: string;
  region: string;
  credentials: Credentials;
  /** STS endpoint when it is not AWS's regional one (the sandbox). */
  endpoint?: string;
}): Promise<IdentityProof> {
  const url = new URL(input.endpoint ?? `https://sts.${input.region}.amazonaws.com`);
  url.pathname = '/';
  const signer = new SignatureV4({
    service: 'sts',
    region: input.region,
    credentials: input.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      [APPROVAL_HEADER]: input.purpose,
    },
    body: GET_CALLER_IDENTITY_BODY,
  });
  return { url: url.toString(), headers: signed.headers, body: GET_CALLER_IDENTITY_BODY };
}
