import { loadConfig } from '../config/index.ts';
import { withSsmSecrets } from '../config/ssm-secrets.ts';
import { createServices } from '../boot/index.ts';
import type { Services } from '../services.ts';

let services: Promise<Services> | undefined;

/**
 * Services are built once per Lambda container and reused across invocations. Config is read
 * and validated on the first invocation; a bad variable fails it with the variable's name.
 * Secrets come from SSM Parameter Store under CID_SSM_PATH, read once here (never the template).
 */
export function lambdaServices(): Promise<Services> {
  services ??= withSsmSecrets({ CID_BACKEND: 'aws', ...process.env })
    .then((env) => createServices(loadConfig(env)))
    .catch((err: unknown) => {
      services = undefined;
      throw err;
    });
  return services;
}
