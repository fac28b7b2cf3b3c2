import { displayText } from '#shared/text/display.ts';

/** What the needs-human record keeps in `details`: the caught error, and where it was caught. */
interface RecordedStop {
  readonly Error?: unknown;
  readonly Cause?: unknown;
  /** Set by the playbook's catch (statemachines/fragments/needs-human.ts). */
  readonly stoppedAt?: { readonly step?: unknown; readonly call?: unknown };
}

/** The longest error text a summary keeps: a report line, not the whole cause. */
const MAX_CAUSE = 160;

/**
 * IAM's and EC2's refusals in AWS's words ("User: … is not authorized to perform: iam:TagUser on
 * resource: …", "You are not authorized to perform this operation"). IAM's `AccessDenied` is not in
 * its API model, so the SDK integration reports it as `Iam.IamException` and only the cause tells.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
const REFUSED =
  /\bnot authorized to perform(?::\s*([a-z0-9-]+:[A-Za-z0-9]+))?|\bAccessDenied|\bUnauthorizedOperation/;

/**
 * `Prefix.NameException` as Step Functions names an SDK integration error: the name, unless it is
 * the service's catch-all (`Iam.IamException`) that says nothing.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html#use-awssdk-integ-handle-exception
 */
function specificName(error: string): string | undefined {
  const match = /^([A-Za-z0-9]+)\.([A-Za-z0-9]+Exception)$/.exec(error);
  if (!match?.[1] || !match[2]) return undefined;
  if (match[2].toLowerCase() === `${match[1]}Exception`.toLowerCase()) return undefined;
  return match[2].slice(0, -'Exception'.length) || match[2];
}

/** The step a needs-human record names, when its playbook's catch recorded it. */
export function stoppedStep(details: string | undefined): string | undefined {
  const step = parseStop(details)?.stoppedAt?.step;
  return typeof step === 'string' && step !== '' ? displayText(step, 80) : undefined;
}

/**
 * A needs-human record's error in a few words: `AccessDenied on iam:PutUserPolicy`, else the
 * error's specific name, else its name and the start of its cause. Untrusted text: shown through
 * {@link displayText} and capped. Undefined when the record keeps no error.
 */
export function stopSummary(details: string | undefined): string | undefined {
  const stop = parseStop(details);
  if (!stop) return details ? displayText(details, MAX_CAUSE) : undefined;
  const error = typeof stop.Error === 'string' ? stop.Error : '';
  const cause = typeof stop.Cause === 'string' ? stop.Cause : '';
  const recordedCall = typeof stop.stoppedAt?.call === 'string' ? stop.stoppedAt.call : undefined;
  const refused = REFUSED.exec(cause) ?? REFUSED.exec(error);
  const call = recordedCall ?? refused?.[1];
  const on = call ? ` on ${call}` : '';
  if (refused) return displayText(`AccessDenied${on}`, MAX_CAUSE);
  const name = specificName(error);
  if (name) return displayText(`${name}${on}`, MAX_CAUSE);
  if (!error && !cause) return undefined;
  return displayText(`${error || 'Error'}${on}${cause ? `: ${cause.split('\n')[0]}` : ''}`, MAX_CAUSE);
}

function parseStop(details: string | undefined): RecordedStop | undefined {
  if (!details) return undefined;
  try {
    const parsed: unknown = JSON.parse(details);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as RecordedStop)
      : undefined;
  } catch {
    return undefined;
  }
}
