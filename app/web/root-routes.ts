// The start page, sign-in through GitHub (OAuth of the App), sign-out, and the static assets.
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BadRequestError, errorResponse, ForbiddenError, NotConfiguredError, PayloadTooLargeError } from '../../lib/errors/index.ts';
import { exchangeCode, authenticatedUser } from './github-user.ts';
import { LOG_SCRIPT } from './live-log-script.ts';
import { CallbackQuery, CsrfForm, LoginQuery, safeReturnPath } from './params.ts';
import { listOwners } from './queries.ts';
import { safeEqual } from './session.ts';
import { STYLES } from './styles.ts';
import { errorPage, homePage } from './views/index.ts';
import { htmlHeaders, sessionOf, viewContext, viewerOfSession, type Web } from './web-context.ts';

/** Sessions end when GitHub's user token does (8 h for an App's user tokens), or after 8 h. */
const MAX_SESSION_SECONDS = 8 * 3600;

function asset(body: string, type: string) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return (c: Context) => {
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag });
    return c.body(body, 200, { 'content-type': type, etag, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
  };
}

export function rootRoutes(web: Web): Hono {
  const { svc } = web;
  const r = new Hono();
  const callbackUrl = () => `${svc.config.publicUrl}/login/callback`;

  r.onError((err, c) => {
    const { status, body } = errorResponse(err);
    if (status >= 500) svc.log.error({ err, path: c.req.path }, 'page failed');
    const session = sessionOf(web, c);
    return new Response(errorPage(viewContext(web, c, session), status, body.error.message), { status, headers: htmlHeaders() });
  });

  r.get('/static/cid.css', asset(STYLES, 'text/css; charset=utf-8'));
  r.get('/static/log.js', asset(LOG_SCRIPT, 'application/javascript; charset=utf-8'));

  r.get('/', async (c) => {
    const session = sessionOf(web, c);
    const owners = await listOwners({ ...web, viewer: viewerOfSession(session) });
    return new Response(homePage(viewContext(web, c, session), owners), { headers: htmlHeaders() });
  });

  const signInConfig = () => {
    const oauth = svc.config.webUi.oauth;
    if (!web.cookies || !oauth) {
      throw new NotConfiguredError('sign-in is not configured: set CID_SESSION_SECRET, GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET');
    }
    return { cookies: web.cookies, oauth };
  };

  r.get('/login', (c) => {
    const { cookies, oauth } = signInConfig();
    // The state cookie must be set on the host GitHub sends the browser back to. Behind a proxy
    // (CloudFront before a Lambda Function URL, for a custom domain) the request's Host is the
    // origin's; the proxy names the browser's host in X-Forwarded-Host. Trusting it is safe here:
    // a forged one only misplaces the forger's own cookie.
    const publicHost = new URL(svc.config.publicUrl).host;
    const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || c.req.header('host');
    if (host && host !== publicHost) return c.redirect(`${svc.config.publicUrl}/login${new URL(c.req.url).search}`, 302);
    const q = LoginQuery.parse(c.req.query());
    const st = cookies.writeOAuthState(c, safeReturnPath(q.return_to, svc.config.publicUrl));
    const url = new URL(oauth.authorizeUrl);
    url.searchParams.set('client_id', oauth.clientId);
    url.searchParams.set('redirect_uri', callbackUrl());
    url.searchParams.set('state', st.state);
    return c.redirect(url.toString(), 302);
  });

  r.get('/login/callback', async (c) => {
    const { cookies, oauth } = signInConfig();
    const denied = c.req.query('error');
    if (denied) throw new ForbiddenError(`GitHub sign-in was not completed: ${c.req.query('error_description') ?? denied}`);
    const q = CallbackQuery.parse(c.req.query());
    const expected = cookies.readOAuthState(c);
    // The state ties the callback to the browser that started the sign-in (login CSRF).
    if (!expected || !safeEqual(expected.state, q.state)) throw new BadRequestError('the sign-in expired or was started elsewhere: try again');
    cookies.clearOAuthState(c);
    const { token, expiresIn } = await exchangeCode(oauth, q.code, callbackUrl());
    const login = await authenticatedUser(svc.config.webUi.apiUrl, token);
    const exp = Math.floor(Date.now() / 1000) + Math.min(expiresIn ?? MAX_SESSION_SECONDS, MAX_SESSION_SECONDS);
    cookies.write(c, { login, token, exp });
    svc.log.info({ login }, 'signed in');
    return c.redirect(expected.returnTo, 303);
  });

  r.post(
    '/logout',
    bodyLimit({
      maxSize: 8 * 1024,
      onError: () => {
        throw new PayloadTooLargeError('form over 8 KiB');
      },
    }),
    async (c) => {
      const session = sessionOf(web, c);
      if (session) {
        const form = CsrfForm.safeParse(await c.req.parseBody());
        if (!form.success || !safeEqual(form.data._csrf, session.csrf)) throw new ForbiddenError('CSRF check failed: reload the page and try again');
        web.cookies?.clear(c);
      }
      return c.redirect('/', 303);
    },
  );
  return r;
}
