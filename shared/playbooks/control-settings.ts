import { DB_CLUSTER_CONTROLS, DB_INSTANCE_CONTROLS, settingOfControl } from '../rds/control-settings.ts';

/**
 * The `settingOfControl` of every playbook whose facts name one (see `PlaybookFacts`), by playbook
 * name: plain data with no imports beyond the control tables, so the classifier can read it
 * statically. The facts files import their undo reversers (and through them `shared/undo/`), which
 * the classifier never runs; loading the facts only for this table cost it 50 KB of bundle.
 * test/unit/playbooks/control-settings.test.ts holds this table equal to the facts, playbook by
 * playbook, so the two cannot drift apart.
 */
export const SETTING_OF_CONTROL: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'protect-db-instance': settingOfControl(DB_INSTANCE_CONTROLS),
  'protect-db-cluster': settingOfControl(DB_CLUSTER_CONTROLS),
};
