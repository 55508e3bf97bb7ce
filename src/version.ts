/**
 * This release (package.json `version`, CHANGELOG.md): /api/health shows it, so an operator sees which
 * release answers after an upgrade or a rollback. test/version.test.ts keeps the three in step.
 */
export const VERSION = "0.2.0";
