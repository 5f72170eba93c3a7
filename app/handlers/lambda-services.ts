import { loadConfig } from '../config/index.ts';
import { withSsmSecrets } from '../config/ssm-secrets.ts';
import { createServices } from '../boot/index.ts';
import type { Services } from '../services.ts';

let services: Promise<Services> | undefined;

/**
 * The settings a function starts from: its environment, over `defaults` that only fill what is
 * unset or empty (e.g. the public URL the first request implies: app/handlers/public-url.ts).
 * Nothing is written back to process.env.
 */
export function lambdaEnv(env: NodeJS.ProcessEnv, defaults: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { CID_BACKEND: 'aws', ...env };
  for (const [k, v] of Object.entries(defaults)) if (!out[k]) out[k] = v;
  return out;
}

/**
 * Services are built once per Lambda container and reused across invocations. Config is read
 * and validated on the first invocation; a bad variable fails it with the variable's name.
 * Secrets come from SSM Parameter Store under CID_SSM_PATH, read once here (never the template).
 */
export function lambdaServices(defaults: Readonly<Record<string, string>> = {}): Promise<Services> {
  services ??= withSsmSecrets(lambdaEnv(process.env, defaults))
    .then((env) => createServices(loadConfig(env)))
    .catch((err: unknown) => {
      services = undefined;
      throw err;
    });
  return services;
}
