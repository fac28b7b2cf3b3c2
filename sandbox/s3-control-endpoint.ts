/**
 * S3 Control puts the account id in front of the host name (the model's `hostPrefix`
 * `{AccountId}.`, and its endpoint rules do the same with a custom endpoint), so against
 * `http://127.0.0.1:4566` the SDK would address `111122223333.127.0.0.1`, which is no host. The
 * sandbox serves every account on one endpoint: this endpoint provider keeps the given endpoint
 * as it is. The account still travels in the `x-amz-account-id` header the model binds it to,
 * which is what the sandbox reads.
 */
export const S3_CONTROL_CLIENT_CONFIG: Readonly<Record<string, unknown>> = {
  endpointProvider: (params: { Endpoint?: string }) => {
    if (!params.Endpoint) throw new Error('The sandbox S3 Control client needs an endpoint');
    return { url: new URL(params.Endpoint) };
  },
};
