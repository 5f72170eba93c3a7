import { html } from '../html.ts';
import { page } from '../layout.ts';
import type { ViewContext } from './common.ts';

const TITLES: Record<number, string> = { 400: 'Bad request', 401: 'Sign in needed', 403: 'Not allowed', 404: 'Not found', 503: 'Not available' };

export function errorPage(ctx: ViewContext, status: number, message: string): string {
  const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Error');
  const signIn = !ctx.user && ctx.canSignIn && (status === 404 || status === 401);
  const body = html`<h1>${title}</h1>
<div class="banner ${status >= 500 ? 'error' : 'info'}">${message}</div>
${signIn ? html`<p>Private repositories need you to <a href="/login?return_to=${encodeURIComponent(ctx.path)}">sign in with GitHub</a>.</p>` : ''}
<p><a href="/">Back to the start</a></p>`;
  return page({ ...ctx, title }, body);
}
