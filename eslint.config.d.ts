// Types of what eslint.config.js exports besides the config, for test/boundary.test.ts.
export declare const FORBIDDEN_IMPORTS: Readonly<Record<string, readonly string[]>>;
declare const config: unknown;
export default config;
