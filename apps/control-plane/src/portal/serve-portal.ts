import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Paths owned by the server, never answered with the portal's index.html. */
const SERVER_PATHS = /^\/(api|notebook|share|healthz|readyz|metrics)(\/|$)/;

/** Where `npm run build` puts the portal: dist/portal at the repository root. */
export function portalDir(): string {
  // Compiled, this file is dist/apps/control-plane/src/portal; run from source (tests start the
  // server in-process), it is apps/control-plane/src/portal and the build is under dist/.
  const compiled = resolve(__dirname, '../../../../portal');
  return existsSync(compiled) ? compiled : resolve(__dirname, '../../../../dist/portal');
}

/** Serves the built portal at `/`, with the single-page app's index.html for its client-side routes. */
export function servePortal(app: NestExpressApplication): void {
  const dir = portalDir();
  const index = join(dir, 'index.html');
  const built = existsSync(index);
  if (built) {
    const assets = express.static(dir, { index: false, maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') });
    // API calls skip the file system: a stat per request was a tenth of a session read's cost.
    app.use((req: express.Request, res: express.Response, next: express.NextFunction) => (SERVER_PATHS.test(req.path) ? next() : assets(req, res, next)));
  }
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || SERVER_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    if (built) return res.type('html').send(readFileSync(index, 'utf8'));
    res.type('html').send('<!doctype html><title>Trialhub</title><h1>Trialhub</h1><p>The portal has not been built. Run <code>npm run build</code>; the API is at <a href="/api/docs">/api/docs</a>.</p>');
  });
}
