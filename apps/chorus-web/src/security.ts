/** What the UI does against other sites: security headers, and no cross-site request that changes state. */
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { HttpError } from './errors.ts';
import { INLINE_SOURCES } from './templates.ts';

/**
 * helmet's headers with a CSP that allows the pages' own inline script and style by hash and nothing
 * else. No HSTS and no upgrade-insecure-requests: the UI is served over plain HTTP (a proxy in front adds TLS).
 */
export const securityHeaders = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: [INLINE_SOURCES.script],
        styleSrc: [INLINE_SOURCES.style],
        connectSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request that a browser sent from another origin (another site, or another
 * port of this host, such as another environment's UI): by Sec-Fetch-Site where the browser sends it,
 * else by Origin. Same-origin form posts pass, and so do API clients that send neither header.
 */
export const refuseCrossSite: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  const crossSite = site
    ? site !== 'same-origin' && site !== 'none'
    : origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`;
  if (crossSite)
    return next(new HttpError(403, 'cross_site_request', 'a request from another site cannot change tasks here'));
  next();
};
