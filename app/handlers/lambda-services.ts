import { loadConfig } from '../config/index.ts';
import { createServices } from '../boot/index.ts';
import type { Services } from '../services.ts';

let services: Promise<Services> | undefined;

/**
 * Services are built once per Lambda container and reused across invocations. Config is read
 * and validated on the first invocation; a bad variable fails it with the variable's name.
 */
export function lambdaServices(): Promise<Services> {
  services ??= createServices(loadConfig({ CID_BACKEND: 'aws', ...process.env })).catch((err: unknown) => {
    services = undefined;
    throw err;
  });
  return services;
}
