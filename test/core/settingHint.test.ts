import { describe, expect, it } from 'vitest';
import { renderSetting, SettingHintError } from '../../src/core/options.ts';
import { ExprfitError } from '../../src/core/errors.ts';

describe('a setting suggested by an error, spelled per front end', () => {
  const setting = { scope: 'fit', key: 'nanPolicy', value: 'omit' };

  it('renders the setting as the API, the CLI and a script write it', () => {
    expect(renderSetting(setting, 'api')).toBe("nanPolicy: 'omit'");
    expect(renderSetting(setting, 'cli')).toBe('--nan-policy omit');
    expect(renderSetting(setting, 'script')).toBe('nan_policy=omit');
  });

  it('keeps the problem and the setting structured, and respells the message', () => {
    const e = new SettingHintError('value', "data 'y' has NaN at index 1", setting, 'drop such points');
    expect(e).toBeInstanceOf(ExprfitError);
    expect(e.message).toBe("data 'y' has NaN at index 1 (use nanPolicy: 'omit' to drop such points)");
    const script = e.respelled('fit nan=omit');
    expect(script.message).toBe("data 'y' has NaN at index 1 (use fit nan=omit to drop such points)");
    expect(script.setting).toEqual(setting);
    expect(script.code).toBe('value');
  });
});
