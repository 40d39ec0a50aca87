import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TokenScrubber } from './token-scrubber';

async function scrub(chunks: string[], token: string): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks.map((c) => Buffer.from(c))).pipe(new TokenScrubber(token))) out.push(c as Buffer);
  return Buffer.concat(out).toString();
}

describe('TokenScrubber', () => {
  const token = 'Zq3-secret_token-0123456789abcdefABCDEF012345';

  it('removes the token from a page, however the page is cut into chunks', async () => {
    const page = `<body data-jupyter-api-token="${token}"><a href="/tree?token=${token}">home</a></body>`;
    const expected = '<body data-jupyter-api-token=""><a href="/tree?token=">home</a></body>';
    for (let cut = 1; cut < page.length; cut += 7) {
      const chunks = [];
      for (let i = 0; i < page.length; i += cut) chunks.push(page.slice(i, i + cut));
      expect(await scrub(chunks, token)).toBe(expected);
    }
  });

  it('passes everything else through unchanged, including text that almost matches', async () => {
    const text = `prefix ${token.slice(0, -1)} middle ${token.slice(1)} end`;
    expect(await scrub([text.slice(0, 10), text.slice(10)], token)).toBe(text);
    expect(await scrub([], token)).toBe('');
  });
});
