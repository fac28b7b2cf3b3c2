import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Props of {@link firstItem}. */
export interface FirstItemProps {
  /** JSONPath of the list, e.g. `$.discovery.association.associations`. */
  readonly listPath: string;
  /** Output key → member of the list's first item, e.g. `{ associationId: 'AssociationId' }`. */
  readonly fields: Readonly<Record<string, string>>;
  /** Where the picked fields (or `otherwise`) go. */
  readonly resultPath: string;
  /** Written instead when the list is empty or its first item lacks one of the fields. */
  readonly otherwise: Readonly<Record<string, unknown>>;
  /** Written next to the picked fields when they are all there. @default nothing */
  readonly found?: Readonly<Record<string, unknown>>;
}

/**
 * Read members of a list's first item without a path that can miss. A JSONPath such as
 * `$.list[0].Id` that matches nothing fails the state with `States.Runtime`, which no
 * `States.ALL` catcher catches (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 * the execution would end without its needs-human record. So a Choice checks each member with
 * `IsPresent` first, and an empty list yields `otherwise`.
 */
export function firstItem(scope: Construct, id: string, props: FirstItemProps): sfn.Chain {
  const paths = Object.entries(props.fields).map(([key, member]) => [key, `${props.listPath}[0].${member}`]);
  const picked = new sfn.Pass(scope, `${id}: first`, {
    parameters: {
      ...props.found,
      ...Object.fromEntries(paths.map(([key, path]) => [`${key}.$`, path])),
    },
    resultPath: props.resultPath,
  });
  const none = new sfn.Pass(scope, `${id}: none`, {
    parameters: { ...props.otherwise },
    resultPath: props.resultPath,
  });
  const present = paths.map(([, path]) => sfn.Condition.isPresent(path as string));
  return sfn.Chain.start(
    new sfn.Choice(scope, id)
      .when(present.length === 1 ? (present[0] as sfn.Condition) : sfn.Condition.and(...present), picked)
      .otherwise(none)
      .afterwards(),
  );
}
