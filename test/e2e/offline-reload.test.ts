import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOffline, type OfflineServer } from '../../scripts/dev/offline';
import { freePort } from '../../scripts/dev/ports';

const ROOT = join(__dirname, '..', '..');

/**
 * A small service of its own (two functions, one handler file), run by `serverless offline` with
 * this project's offline plugin, so a test can edit its sources without touching the project's.
 */
const SERVERLESS_YML = `service: offline-fixture
frameworkVersion: '4'
provider:
  name: aws
  runtime: nodejs24.x
  region: us-east-1
  environment:
    SHARED: everyone
plugins:
  - ./infra/plugins/offline-functions.js
  - serverless-offline
custom:
  serverless-offline:
    httpPort: \${env:PORT}
    lambdaPort: \${env:OFFLINE_LAMBDA_SOCKET}
    host: 127.0.0.1
    useInProcess: true
functions:
  plain:
    handler: handlers/hello.handler
    events: [{ http: { path: plain, method: get } }]
  special:
    handler: handlers/hello.handler
    environment:
      ONLY_SPECIAL: 'yes'
    events: [{ http: { path: special, method: get } }]
`;

const HANDLER = `import { message } from '../lib/message';

const seenAtLoad = process.env.ONLY_SPECIAL ?? 'unset';
let calls = 0;

export const handler = async () => ({
  statusCode: 200,
  body: JSON.stringify({ message, seenAtLoad, seenNow: process.env.ONLY_SPECIAL ?? 'unset', shared: process.env.SHARED, calls: ++calls }),
});
`;

const messageModule = (text: string) => `export const message: string = ${JSON.stringify(text)};\n`;

interface Answer {
  readonly message: string;
  readonly seenAtLoad: string;
  readonly seenNow: string;
  readonly shared: string;
  readonly calls: number;
}

describe('serverless offline with the project plugin: a function per bundle, reloaded when its source changes', () => {
  let dir: string;
  let server: OfflineServer;

  const get = async (name: string): Promise<Answer> => {
    const response = await fetch(`${server.baseUrl}/${name}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Answer;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offline-fixture-'));
    mkdirSync(join(dir, 'handlers'));
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'serverless.yml'), SERVERLESS_YML);
    writeFileSync(join(dir, 'handlers', 'hello.ts'), HANDLER);
    writeFileSync(join(dir, 'lib', 'message.ts'), messageModule('first'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    symlinkSync(join(ROOT, 'infra'), join(dir, 'infra'));
    server = await startOffline({ port: await freePort(), serviceDir: dir, env: {} });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps each function's variables to itself, though both run the same file in one process", async () => {
    expect(await get('special')).toMatchObject({ seenAtLoad: 'yes', seenNow: 'yes', shared: 'everyone' });
    // `special` left ONLY_SPECIAL in the shared process environment; `plain` must not see it, at load or later.
    const plain = await get('plain');
    expect(plain).toMatchObject({ seenAtLoad: 'unset', seenNow: 'unset', shared: 'everyone' });
    await get('special');
    // The same module instance between calls, as a warm Lambda.
    expect(await get('plain')).toMatchObject({ seenNow: 'unset', calls: plain.calls + 1 });
  });

  it('runs the new code after a source file changes, and keeps the last good code when the change does not build', async () => {
    await get('plain');
    writeFileSync(join(dir, 'lib', 'message.ts'), messageModule('second'));
    const deadline = Date.now() + 30_000;
    let answer = await get('plain');
    while (answer.message !== 'second' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await get('plain');
    }
    // A fresh module: its state starts over, as after a cold start.
    expect(answer).toMatchObject({ message: 'second', calls: 1 });

    writeFileSync(join(dir, 'lib', 'message.ts'), 'export const message: string = ;\n');
    while (!/the build failed, the previous code keeps running/.test(server.output()) && Date.now() < deadline + 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(server.output()).toMatch(/the build failed, the previous code keeps running/);
    expect(await get('plain')).toMatchObject({ message: 'second', calls: 2 });
  }, 90_000);
});
