// Types of scripts/deploy-config.mjs, for test/node/deploy-config.test.ts.
export type Settings = Record<string, string>;
export const DEPLOY_KEYS: Record<string, string>;
export const SECRETS: string[];
export function parseEnvFile(text: string): Settings;
export function deployProblems(settings: Settings, vars: Record<string, string>): string[];
export function deployConfig<T extends { name?: string; vars?: Record<string, string>; d1_databases: { binding: string; database_id?: string }[] }>(raw: T, settings: Settings): T;
