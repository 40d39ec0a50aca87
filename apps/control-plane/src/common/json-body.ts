import { BadRequestException, HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ApiExceptionFilter } from './api-exception.filter';

/** Largest JSON body any route takes (the biggest DTO, a profile with its tolerations, is a few KiB). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays any DTO needs is 3; class-transformer recurses per level. */
export const MAX_JSON_DEPTH = 32;

/** Keys that address an object's prototype: class-transformer drops them silently; refuse them instead. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : `a ${typeof value}`);

/**
 * What no DTO takes anywhere in a parsed body: nesting deeper than `maxDepth` (class-transformer
 * recurses per level) and numbers past ±2^53 (1e308 is an "integer" to class-validator, but
 * no column or duration holds it), and prototype keys. Walked without recursion, so no stack limit applies.
 */
export function jsonValueProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: Array<[unknown, number, string]> = [[value, 1, '']];
  while (stack.length) {
    const [node, depth, path] = stack.pop()!;
    if (typeof node === 'number' && Math.abs(node) > Number.MAX_SAFE_INTEGER) {
      return `The number ${node}${path ? ` in "${path}"` : ''} is too large: numbers must lie between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}.`;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) return `The request body is nested too deeply: at most ${maxDepth} levels of objects and arrays are accepted.`;
    const entries: Array<[string, unknown]> = Array.isArray(node) ? node.map((v, i) => [String(i), v]) : Object.entries(node);
    for (const [key, child] of entries) {
      if (PROTOTYPE_KEYS.has(key) && !Array.isArray(node)) return `The field name "${key}" is not accepted anywhere in a request body.`;
      if (typeof child === 'object' || typeof child === 'number') stack.push([child, depth + 1, path ? `${path}.${key}` : key]);
    }
  }
  return null;
}

/** Why a parsed body cannot reach validation, or null when it is a JSON object validation can take. */
export function jsonBodyProblem(body: unknown): HttpException | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return new BadRequestException(`The request body must be a JSON object such as {"name": "value"}, not ${describe(body)}.`);
  }
  const problem = jsonValueProblem(body);
  return problem ? new BadRequestException(problem) : null;
}

/** Body-parser's own errors, as the sentences the API answers with. */
function parserError(err: unknown): unknown {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return new PayloadTooLargeException(`The request body is too large: a JSON request may have at most ${JSON_BODY_LIMIT_BYTES / 1024 / 1024} MiB.`);
  if (type === 'entity.parse.failed') return new BadRequestException(`The request body is not valid JSON (${(err as Error).message.replace(/\s+/g, ' ').slice(0, 120)}).`);
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new UnsupportedMediaTypeException(`${(err as Error).message}: send JSON as UTF-8 with "Content-Type: application/json".`);
  return err;
}

/**
 * Parses JSON bodies and refuses, before any validation or transformation runs, what a DTO
 * cannot take: malformed JSON (400), a body past the limit (413), a top-level array, scalar or
 * null (400) and nesting deeper than MAX_JSON_DEPTH (400). Errors leave in the API's JSON shape
 * here, since they happen before Nest's exception filter sees the request. Bodies that are not
 * JSON are left alone: JsonContentTypeMiddleware answers them with 415 on API routes.
 */
export function jsonBody(options: { skipPaths: readonly string[] }): RequestHandler {
  const parse = express.json({ limit: JSON_BODY_LIMIT_BYTES, strict: false });
  const errors = new ApiExceptionFilter();
  const refuse = (req: Request & { id?: unknown }, res: Response, err: unknown) => {
    if (res.headersSent) return void res.destroy();
    const body = errors.toBody(err);
    res.status(body.statusCode).json({ ...body, requestId: typeof req.id === 'string' ? req.id : undefined });
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (options.skipPaths.some((p) => req.path.startsWith(p))) return next();
    parse(req, res, (err?: unknown) => {
      if (err) return refuse(req, res, parserError(err));
      // Parsed only when the body was JSON (req.body is undefined otherwise).
      const problem = req.body === undefined || !req.is('application/json') ? null : jsonBodyProblem(req.body);
      if (problem) return refuse(req, res, problem);
      next();
    });
  };
}
