import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../support/control-plane-process';
import { ApiClient } from '../support/http';
import { startTestServer, TestServer } from '../support/server';
import { killSessionProcesses } from '../support/session-processes';
import { poolHousesDataset } from '../support/shared-dataset';
import { waitFor } from '../support/wait';
import { classFolderMembers, zipFile } from '../support/zip-file';

const view = (api: ApiClient, id: string) => api.get(`/api/sessions/${id}`).then((r) => r.body);
const ZIP = { 'content-type': 'application/zip' };
/** A JPEG cut off halfway (as an interrupted copy leaves it). */
const halfOf = (path: string) => readFileSync(path).subarray(0, Math.floor(readFileSync(path).length / 2));

/**
 * Your own photos through the API, on the embedded default with a real Jupyter: the zip is
 * checked file by file and lands in the workspace through the session's notebook server.
 */
describe('your own photos: a zip of class folders into a running session', () => {
  let server: TestServer;
  let api: ApiClient;
  let session: { id: string; trialId: string };
  let workspace: string;
  const images = join(poolHousesDataset(), 'images');

  beforeAll(async () => {
    buildOnce();
    server = await startTestServer({ SESSION_IDLE_TIMEOUT: '1h' });
    api = new ApiClient(server.url);
    await api.signup('photos@example.com');
    const launched = await api.post('/api/sessions', { profile: 'cpu' });
    expect(launched.status).toBe(202);
    // Before the notebook server runs there is nowhere to put them.
    const early = await api.post(`/api/sessions/${launched.body.id}/photos`, zipFile(classFolderMembers(images, 5)), ZIP);
    if (early.status !== 200) expect(early.status).toBe(409);
    session = await waitFor('ready', () => view(api, launched.body.id), (s) => s.state === 'ready' || s.state === 'failed', 120_000);
    expect(session).toMatchObject({ state: 'ready', mode: 'jupyter' });
    workspace = join(server.dataDir, 'workspaces', session.trialId);
  }, 240_000);
  afterAll(async () => {
    const dataDir = server?.dataDir;
    try {
      await server?.stop();
    } finally {
      if (dataDir) killSessionProcesses(dataDir);
    }
  });

  it('answers the class counts, names every file it left out with the reason, and writes only the photos, inside my-photos/', async () => {
    const members = [
      ...classFolderMembers(images, 6),
      { name: 'my-photos/house_with_pool/notes.txt', data: Buffer.from('the pool ones') },
      { name: 'my-photos/house_with_pool/broken.jpg', data: halfOf(join(images, 'house_with_pool', readdirSync(join(images, 'house_with_pool'))[0])) },
      { name: 'my-photos/../../escaped.jpg', data: Buffer.from('x') },
      { name: 'my-photos/house_with_pool/link.jpg', data: Buffer.from('/etc/passwd'), symlink: true },
      { name: '__MACOSX/my-photos/._x', data: Buffer.from('x') },
    ];
    const r = await api.post(`/api/sessions/${session.id}/photos`, zipFile(members), ZIP);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      folder: 'my-photos',
      classes: [{ name: 'house_with_pool', added: 6, total: 6 }, { name: 'house_without_pool', added: 6, total: 6 }],
      refused: [
        'my-photos/../../escaped.jpg: a path with ".." in it (unsafe: it would land outside the photo folder)',
        'my-photos/house_with_pool/broken.jpg: a damaged JPEG image (it does not decode)',
        'my-photos/house_with_pool/link.jpg: a symbolic link (links in a zip are never followed: put the photo itself in the zip)',
        'my-photos/house_with_pool/notes.txt: not an image (JPEG, PNG or WebP expected)',
      ],
      ignored: 1,
    });
    expect(readdirSync(join(workspace, 'my-photos/house_with_pool')).sort()).toEqual(readdirSync(join(images, 'house_with_pool')).sort().slice(0, 6));
    expect(existsSync(join(workspace, '..', 'escaped.jpg'))).toBe(false);
    expect(existsSync(join(workspace, 'escaped.jpg'))).toBe(false);

    // A second upload adds to the folder; the counts say what it holds now.
    const more = await api.post(`/api/sessions/${session.id}/photos`, zipFile(classFolderMembers(images, 8, 'more')), ZIP);
    expect(more.status, more.text).toBe(200);
    expect(more.body.classes).toEqual([{ name: 'house_with_pool', added: 8, total: 8 }, { name: 'house_without_pool', added: 8, total: 8 }]);
  });

  it('refuses, with a reason and nothing written: too few photos of a class, one class, not a zip, not sent as a zip, someone else', async () => {
    const few = [...classFolderMembers(images, 5, 'x').filter((m) => !m.name.includes('without') || /\/$/.test(m.name)), ...classFolderMembers(images, 2, 'x').filter((m) => m.name.includes('without') && !m.name.endsWith('/'))];
    const r1 = await api.post(`/api/sessions/${session.id}/photos`, zipFile(few), ZIP);
    expect(r1.status).toBe(422);
    expect(r1.body.message).toBe('Each class needs at least 5 readable photos: house_without_pool has 2. Nothing was added.');
    const one = await api.post(`/api/sessions/${session.id}/photos`, zipFile([{ name: 'cats/a.txt', data: Buffer.from('meow') }]), ZIP);
    expect(one.status).toBe(422);
    expect(one.body).toMatchObject({ message: expect.stringMatching(/^The zip has no photos in class folders\./), details: ['cats/a.txt: not an image (JPEG, PNG or WebP expected)'] });
    const notZip = await api.post(`/api/sessions/${session.id}/photos`, 'this is not a zip file, just some words in a body', ZIP);
    expect(notZip).toMatchObject({ status: 422, body: { message: 'This is not a zip file (no zip directory at its end).' } });
    const empty = await api.request('POST', `/api/sessions/${session.id}/photos`, '', ZIP);
    expect(empty.status).toBe(422);
    const json = await api.post(`/api/sessions/${session.id}/photos`, { photos: [] });
    expect(json.status).toBe(415);
    expect(json.body.message).toMatch(/application\/zip/);
    const stranger = new ApiClient(server.url);
    await stranger.signup('stranger@example.com');
    expect((await stranger.post(`/api/sessions/${session.id}/photos`, zipFile(classFolderMembers(images, 5)), ZIP)).status).toBe(404);
    expect(readdirSync(join(workspace, 'my-photos')).sort()).toEqual(['house_with_pool', 'house_without_pool']);
  });
});
