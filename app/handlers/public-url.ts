// The http function cannot be told its own URL in its environment: the Function URL resource
// refers to the function, so the function referring to the URL would be a CloudFormation cycle.
// Every request says which URL it came through (requestContext.domainName, set by AWS, not by the
// client), so the first one supplies the default. /cid/<stage>/public-url (a custom domain) still
// wins: Parameter Store overrides the environment (app/config/ssm-secrets.ts).

/** The CID_PUBLIC_URL the event's domain implies, as a default for the config (none if unusable). */
export function publicUrlDefault(event: unknown): { CID_PUBLIC_URL?: string } {
  const domain = (event as { requestContext?: { domainName?: unknown } } | undefined)?.requestContext?.domainName;
  return typeof domain === 'string' && /^[A-Za-z0-9.-]+(:\d+)?$/.test(domain) ? { CID_PUBLIC_URL: `https://${domain}` } : {};
}
