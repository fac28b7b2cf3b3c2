import { describe, expect, it } from 'vitest';
import { SETTING_OF_CONTROL } from '#shared/playbooks/control-settings.ts';
import { playbooks } from '#statemachines/registry.ts';

describe('the per-setting table the classifier claims by', () => {
  it("is each registered playbook's settingOfControl, and names no other playbook", () => {
    for (const playbook of playbooks)
      expect(SETTING_OF_CONTROL[playbook.name], playbook.name).toEqual(playbook.settingOfControl);
    const registered = new Set(playbooks.map((p) => p.name));
    expect(Object.keys(SETTING_OF_CONTROL).filter((name) => !registered.has(name))).toEqual([]);
  });
});
