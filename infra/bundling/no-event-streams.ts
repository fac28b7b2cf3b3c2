/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (an esbuild alias, see
 * `sdk-aliases.ts`). Event streams carry the `@streaming` union members of a few operations
 * (Lambda's InvokeWithResponseStream, S3's SelectObjectContent;
 * https://smithy.io/2.0/spec/streaming.html#event-streams), which no function of this product
 * calls. The SDK still bundles their codec, ≈ 20 KB in every function that calls AWS, because a
 * client's constructor sets up a marshaller and its protocol imports the rest on demand. Here the
 * constructor gets a marshaller that refuses to work, so an event-stream call would fail loudly
 * with {@link EventStreamsNotBundledError} instead of silently doing something else.
 */
export class EventStreamsNotBundledError extends Error {
  override name = 'EventStreamsNotBundledError';
  constructor() {
    super('event streams are left out of this Lambda bundle (infra/bundling/no-event-streams.ts)');
  }
}

const refuse = (): never => {
  throw new EventStreamsNotBundledError();
};

/** What a client's config gets as its event stream marshaller: one that refuses every stream. */
export const eventStreamSerdeProvider = () => ({ serialize: refuse, deserialize: refuse });

/** As the SDK's resolver: the config gains the provider's marshaller. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (config: T) => unknown }>(
  input: T,
) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });

/** What a protocol loads for an event-stream operation: refused when made. */
export class EventStreamSerde {
  constructor() {
    refuse();
  }
}
