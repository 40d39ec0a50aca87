import { Injectable, NestMiddleware, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** API writes with a body must be JSON; anything else gets 415 instead of a confusing validation error. */
@Injectable()
export class JsonContentTypeMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    // Uploads stream raw bodies; their own controller checks them.
    if (req.originalUrl.startsWith('/api/uploads/')) return next();
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
      throw new UnsupportedMediaTypeException(`Send the request body as JSON with "Content-Type: application/json" (got "${req.headers['content-type'] ?? 'none'}").`);
    }
    next();
  }
}
