import { ApiResponse } from '@nestjs/swagger';

/**
 * Documents a route's JSON success answer in the OpenAPI document by the libs/contracts type
 * it returns. Contracts are interfaces (no runtime schema), so the document carries the type's
 * name and its top-level shape (an array or an object). `status` must be the route's real one:
 * its `@HttpCode`, else 200 (201 for POST). test/e2e/openapi-client.e2e.ts checks that every
 * route the portal calls documents its success answer.
 */
export function ApiAnswers(status: 200 | 201 | 202, type: string, description?: string): MethodDecorator & ClassDecorator {
  const schema = type.endsWith('[]') ? { type: 'array' as const, items: { type: 'object' as const } } : { type: 'object' as const };
  return ApiResponse({ status, description: [`\`${type}\` (@trialhub/contracts)`, description].filter(Boolean).join(': '), schema });
}
