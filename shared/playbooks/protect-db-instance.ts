import { DB_INSTANCE_CONTROLS, settingOfControl } from '../rds/control-settings.ts';
import { reverseProtectDbInstance } from '../undo/reverse-db-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** protect-db-instance: set the one setting of an RDS DB instance that the finding's control names. */
export const facts: PlaybookFacts = {
  name: 'protect-db-instance',
  description:
    "Set the one setting of the RDS DB instance that the finding's control names (deletion protection on, public access off, automatic minor version upgrades on), then verify.",
  // RDS DB instances are `Other` resources typed AwsRdsDbInstance; any other type goes to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'ModifyDBInstance',
  steps: [
    "Read the DB instance's deletion protection, public accessibility and automatic minor version upgrades.",
    'Change only the setting the control names (RDS.8: deletion protection on; RDS.2: public access off; RDS.13: automatic minor version upgrades on), leaving pending modifications pending; nothing else about the instance changes.',
    'Read the instance again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseProtectDbInstance },
  controls: Object.keys(DB_INSTANCE_CONTROLS),
  settingOfControl: settingOfControl(DB_INSTANCE_CONTROLS),
};
