// Pieces shared by the pages.
import { html, type Html } from '../html.ts';
import type { PageOptions } from '../layout.ts';

/** What every page needs to know about the request. */
export type ViewContext = Pick<PageOptions, 'user' | 'canSignIn' | 'path'>;

/** A POST form with one button, carrying the session's CSRF token. */
export function actionButton(ctx: ViewContext, action: string, label: string, opts: { danger?: boolean; title?: string } = {}): Html {
  const csrf = ctx.user?.csrf ?? '';
  return html`<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit"${opts.danger ? html` class="danger"` : ''}${opts.title ? html` title="${opts.title}"` : ''}>${label}</button></form>`;
}

/** Why there are no buttons: not signed in, or no write access. */
export function actionsHint(ctx: ViewContext, canWrite: boolean): Html {
  if (canWrite) return html``;
  if (!ctx.user && ctx.canSignIn) return html`<p class="muted"><a href="/login?return_to=${encodeURIComponent(ctx.path)}">Sign in</a> to rebuild or cancel.</p>`;
  return html``;
}
