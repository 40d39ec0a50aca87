import { describe, expect, it } from 'vitest';
import { jsonBodyProblem, jsonValueProblem, MAX_JSON_DEPTH } from './json-body';

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('JSON bodies a DTO cannot take are refused before validation', () => {
  it('accepts nesting up to the limit and refuses one level more, without recursion even at 100,000 levels', () => {
    expect(jsonValueProblem(nest(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonValueProblem(nest(MAX_JSON_DEPTH + 1))).toMatch(/nested too deeply: at most 32 levels/);
    expect(jsonValueProblem(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toMatch(/nested too deeply/);
  });

  it('refuses numbers past 2^53 and names where they are', () => {
    expect(jsonValueProblem({ quotas: { limit: Number.MAX_SAFE_INTEGER } })).toBeNull();
    expect(jsonValueProblem({ quotas: [1, 1e308] })).toBe(`The number 1e+308 in "quotas.1" is too large: numbers must lie between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}.`);
    expect(jsonValueProblem({ x: -1e20 })).toMatch(/too large/);
    expect(jsonValueProblem({ ratio: 0.25 })).toBeNull();
  });

  it('refuses prototype keys at any depth', () => {
    expect(jsonValueProblem(JSON.parse('{"a": {"__proto__": {"admin": true}}}'))).toMatch(/"__proto__" is not accepted/);
    expect(jsonValueProblem({ constructor: 1 })).toMatch(/"constructor"/);
  });

  it('wants an object at the top, and says what came instead', () => {
    expect(jsonBodyProblem({})).toBeNull();
    expect(jsonBodyProblem([{}])?.message).toBe('The request body must be a JSON object such as {"name": "value"}, not an array.');
    expect(jsonBodyProblem(null)?.message).toMatch(/not null\.$/);
    expect(jsonBodyProblem(42)?.message).toMatch(/not a number\.$/);
    expect(jsonBodyProblem('x')?.message).toMatch(/not a string\.$/);
    expect(jsonBodyProblem({ a: nest(40) })?.getStatus()).toBe(400);
  });
});
