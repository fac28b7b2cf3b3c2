import { RemediationError } from '#shared/errors.ts';

/**
 * A malformed event pattern, as EventBridge reports it with `InvalidEventPatternException`
 * (from PutRule and TestEventPattern). The message carries EventBridge's preamble so it can
 * be returned on the wire unchanged.
 */
export class InvalidEventPatternError extends RemediationError {
  override name = 'InvalidEventPatternError';
  /** What is wrong with the pattern, without the "Event pattern is not valid" preamble. */
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Event pattern is not valid. Reason: ${reason}`, options);
    this.reason = reason;
  }
}

/** Throw an {@link InvalidEventPatternError} for `reason`. */
export function invalidPattern(reason: string, cause?: unknown): never {
  throw new InvalidEventPatternError(reason, cause === undefined ? undefined : { cause });
}
