import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bundling } from 'cargo-lambda-cdk/lib/bundling';
import { copyFoldersHooks } from '../lib/functions';
import { synth } from './helpers';

/** Runs hook commands the way cargo-lambda-cdk does: chained with && in `bash -c`. */
function run(commands: string[]) {
  return spawnSync('bash', ['-c', commands.join(' && ')], { encoding: 'utf8' });
}

describe('integrations/ shipped with forward (afterBundling hook)', () => {
  let dir: string;
  beforeEach(() => {
    // A quote and a space in the path: the commands must quote what they are given.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle it's "));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('copies the folder, nested files included, next to bootstrap', () => {
    const repo = path.join(dir, 'repo');
    const out = path.join(dir, 'out');
    fs.mkdirSync(path.join(repo, 'integrations', 'more'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'integrations', 'webhook.json'), '{"integration_type":"Webhook"}');
    fs.writeFileSync(path.join(repo, 'integrations', 'more', 'pubsub.json'), '{}');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'bootstrap'), 'binary');

    const result = run(copyFoldersHooks(['integrations']).afterBundling(repo, out));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(out, 'integrations', 'webhook.json'), 'utf8')).toBe('{"integration_type":"Webhook"}');
    expect(fs.existsSync(path.join(out, 'integrations', 'more', 'pubsub.json'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'bootstrap'), 'utf8')).toBe('binary');
  });

  test('a missing folder fails the build with a message instead of shipping forward without it', () => {
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const result = run(copyFoldersHooks(['integrations']).afterBundling(path.join(dir, 'repo'), out));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('integrations/ is missing');
    expect(fs.existsSync(path.join(out, 'integrations'))).toBe(false);
  });

  test('refuses folder names that leave the repository or need quoting', () => {
    for (const bad of ['../etc', 'a/b', '', '.', '$(rm)']) {
      expect(() => copyFoldersHooks([bad])).toThrow(/not a folder name/);
    }
    expect(copyFoldersHooks(['x']).beforeBundling('/in', '/out')).toEqual([]);
  });

  test('the stack gives the hook to forward only', () => {
    const bundle = jest.spyOn(Bundling, 'bundle');
    try {
      synth();
      const calls = bundle.mock.calls.map(([options]) => options);
      expect(calls.map((o) => o.binaryName).sort()).toEqual(['forward', 'geolocate', 'ingest', 'respond', 'sse-drain']);
      for (const o of calls) {
        if (o.binaryName !== 'forward') expect(o.commandHooks).toBeUndefined();
      }
      const forward = calls.find((o) => o.binaryName === 'forward')!;
      expect(forward.architecture?.name).toBe('arm64');
      expect(forward.commandHooks!.afterBundling('/asset-input', '/asset-output')).toEqual([
        `{ test -d '/asset-input/integrations' || { echo "bundling: folder integrations/ is missing at the repository root" >&2; false; }; }`,
        `mkdir -p '/asset-output/integrations'`,
        `cp -R '/asset-input/integrations'/. '/asset-output/integrations'/`,
      ]);
    } finally {
      bundle.mockRestore();
    }
  });
});
