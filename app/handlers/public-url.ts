// The http function cannot be told its own URL in its environment: the Function URL resource
// refers to the function, so the function referring to the URL would be a CloudFormation cycle.
// Every request says which URL it came through (requestContext.domainName, set by AWS, not by the
// client), so the first one supplies the default. /cid/<stage>/public-url (a custom domain) still
// wins: Parameter Store overrides the environment (app/config/ssm-secrets.ts).

/** Sets CID_PUBLIC_URL from the event's domain when nothing else has set it. */
export function defaultPublicUrlFromEvent(env: NodeJS.ProcessEnv, event: unknown): void {
  if (env.CID_PUBLIC_URL) return;
  const domain = (event as { requestContext?: { domainName?: unknown } } | undefined)?.requestContext?.domainName;
  if (typeof domain === 'string' && /^[A-Za-z0-9.-]+(:\d+)?$/.test(domain)) env.CID_PUBLIC_URL = `https://${domain}`;
}
