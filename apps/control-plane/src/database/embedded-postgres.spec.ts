import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresServer } from './embedded-postgres';

const asRoot = process.getuid?.() === 0;

describe('EmbeddedPostgresServer', () => {
  const parent = mkdtempSync(join(tmpdir(), 'trialhub-closed-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it.runIf(asRoot)('as root, refuses a data dir the postgres user cannot reach, naming the folder and the fixes', async () => {
    const closed = join(parent, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    chmodSync(closed, 0o700);
    const server = new EmbeddedPostgresServer(join(closed, 'data'));
    await expect(server.start()).rejects.toThrow(`the "postgres" user, which cannot enter ${closed}. Run "chmod o+x ${closed}", set TRIALHUB_DATA_DIR`);
  });
});
