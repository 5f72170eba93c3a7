// Lint TypeScript with the type-aware recommended rules; tsc does the type checking itself.
import tseslint from 'typescript-eslint';

/**
 * Who may import what (README.md, Architecture). The runner is untrusted and ships alone
 * (infra/runner/Dockerfile copies lib/ and runner/ only), so it never reaches app/; app/ is the
 * control plane and does not depend on the runner; lib/ is shared by both and depends on neither.
 * local/ and cli/ compose app and runner: nothing else imports them. test/boundary.test.ts checks
 * the same table by resolving every import.
 */
export const FORBIDDEN_IMPORTS = {
  lib: ['app', 'runner', 'local', 'cli'],
  app: ['runner', 'local', 'cli'],
  runner: ['app', 'local', 'cli'],
};
const boundaries = Object.entries(FORBIDDEN_IMPORTS).map(([layer, forbidden]) => ({
  files: [`${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((f) => ({
          regex: `^(\\.\\./)+${f}(/|$)`,
          message: `${layer}/ may not import ${f}/ (see README.md, Architecture: who may import what)`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', '.cid/**', '.cache/**', 'dist/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  ...boundaries,
  {
    // Tests pick fields out of arbitrary JSON answers; typing each one would add noise, not safety.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
