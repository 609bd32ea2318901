import { loadSettings, type Settings } from '../../src/settings.ts';

export function testSettings(overrides: Record<string, string> = {}): Settings {
  return loadSettings({
    CHORUS_ENV: 'unit',
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PASSWORD: 'postgres',
    POSTGRES_USER: 'postgres',
    SETUP_TIMEOUT_SECONDS: '20',
    // Most cases have no publication made by migrations beforehand: Debezium makes it.
    PUBLICATION_AUTOCREATE_MODE: 'filtered',
    ...overrides,
  });
}
