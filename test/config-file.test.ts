/**
 * `passk run -c FILE`: every invalid key or value is one `file:line: ...` error (exit 2); the JSON
 * Schema in schema/ matches the zod schema; every run flag has a key; flags typed on the command
 * line override the file; the examples are valid; and through the CLI the effective settings are
 * the ones stored with the run.
 */
import {execa} from 'execa';
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {parse as parseYaml} from 'yaml';
import {argvWithConfigFile, invocationSettings, loadConfigFile} from '../src/cli/config-file.js';
import {configJsonSchema, invocationOnlyFlags} from '../src/cli/config-schema.js';
import Run from '../src/commands/run.js';
import {UserError} from '../src/errors.js';
import {projectRoot} from './helpers/datasets.js';
import {pythonMini} from './helpers/replay-runs.js';

const runFlags = {...Run.baseFlags, ...Run.flags};
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-config-'));
});

function configFile(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(file: string): UserError {
  try {
    loadConfigFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error(`${file} was accepted`);
}

describe('config file errors', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['unknown key', 'bench: humaneval\nsamples: 2\ntempreature: 0.8\n', 3, /unknown key "tempreature"/],
    ['wrong type', 'bench: humaneval\nsamples: many\n', 2, /samples: .*expected number, received string/],
    ['not a whole number', '\n\nsamples: 2.5\n', 3, /samples: .*expected int/i],
    ['out of range', 'model: reference\ntemperature: 3\n', 2, /temperature: Too big.*2/],
    ['unknown bench', '# comment\nbench: apps\n', 2, /bench: Invalid option.*humaneval/],
    ['bad percentage', 'max-regression: 2 percent\n', 1, /max-regression: /],
    ['list item', 'k:\n  - 1\n  - 0\n', 3, /k\.1: Too small/],
    ['YAML syntax', 'bench: humaneval\nmodel: [reference\n', 3, /:3: /],
    ['duplicate key', 'seed: 1\nseed: 2\n', 2, /unique|duplicate/i],
    ['not a mapping', '- bench\n- humaneval\n', 1, /must be a mapping/],
  ];
  for (const [name, text, line, message] of cases) {
    it(`${name}: one line naming file:${line}, exit 2`, () => {
      const file = configFile(`${name.replace(/\W+/g, '-')}.yaml`, text);
      const error = errorOf(file);
      expect(error.exitCode).toBe(2);
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message.startsWith(`${file}:${line}: `), error.message).toBe(true);
      expect(error.message).toMatch(message);
    });
  }

  it('a missing file is a clear error too', () => {
    expect(() => loadConfigFile(path.join(work, 'nope.yaml'))).toThrow(/cannot read the config file .*nope\.yaml: ENOENT/);
  });
});

describe('config schema', () => {
  it('the published JSON Schema is the one the zod schema generates (npx tsx scripts/config-schema.ts)', () => {
    const published = JSON.parse(readFileSync(path.join(projectRoot, 'schema', 'passk.config.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(configJsonSchema(runFlags))));
  });

  it('every passk run flag has a config key, and every key is a flag', () => {
    const properties = Object.keys((configJsonSchema(runFlags) as {properties: object}).properties).filter((key) => key !== '$schema');
    const settable = Object.keys(runFlags).filter((flag) => !invocationOnlyFlags.includes(flag));
    expect(properties.sort()).toEqual(settable.sort());
  });

  it('the examples are valid', () => {
    const examples = readdirSync(path.join(projectRoot, 'examples')).filter((f) => f.endsWith('.yaml'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) expect(() => loadConfigFile(path.join(projectRoot, 'examples', example))).not.toThrow();
  });
});

describe('GitHub Actions example', () => {
  it('parses, and every passk command it calls exists', () => {
    const workflow = parseYaml(readFileSync(path.join(projectRoot, 'examples', 'github-actions.yml'), 'utf8'));
    const scripts: string[] = workflow.jobs.eval.steps.map((step: {run?: string}) => step.run ?? '');
    const calls = scripts.join('\n').match(/\.\/bin\/run\.js [a-z]+(?: [a-z]+)?/g) ?? [];
    expect(calls.length).toBeGreaterThanOrEqual(5);
    const commands = path.join(projectRoot, 'src', 'commands');
    for (const call of calls) {
      const [topic, command] = call.split(' ').slice(1);
      const exists = existsSync(path.join(commands, `${topic}.ts`)) || existsSync(path.join(commands, topic!, `${command}.ts`));
      expect(exists, call).toBe(true);
    }
  });
});

describe('flags override the file', () => {
  it('adds only what the command line does not say; paths are relative to the file', () => {
    const file = configFile('override.yaml', 'samples: 5\nseed: 1\ntemperature: 0.5\ncache: false\nk: [1, 2]\nproblems: [A, B]\noutput: [r.md, r.html]\nrules: false\n');
    const argv = argvWithConfigFile(['-c', file, '-n3', '--seed=9', '--k', '4'], runFlags);
    expect(argv).toEqual([
      '-c',
      file,
      '-n3',
      '--seed=9',
      '--k',
      '4',
      '--temperature=0.5',
      '--problems=A,B',
      '--no-cache',
      `--output=${path.join(work, 'r.md')}`,
      `--output=${path.join(work, 'r.html')}`,
    ]);
  });
});

describe('stored invocation settings', () => {
  it('keep every set flag, drop credentials from a URL', () => {
    expect(invocationSettings({'base-url': 'https://user:secret@host.example/v1', seed: 3, json: true, image: undefined})).toEqual({'base-url': 'https://host.example/v1', seed: 3});
  });
});

describe('passk run -c through the CLI', () => {
  it('runs with the file, the flag wins, the effective settings are stored with the run', async () => {
    const dir = mkdtempSync(path.join(work, 'cli-'));
    const file = path.join(dir, 'passk.yaml');
    writeFileSync(file, `bench: humaneval\ndataset: ${pythonMini}\nmodel: reference\nproblems: [PythonMini/0, PythonMini/1]\nseed: 5\ntemperature: 0.5\nsandbox: bwrap\ndb: store.db\noutput: [summary.md]\nfail-under: 0.5\n`);
    const cli = path.join(projectRoot, 'bin', 'run.js');
    const run = await execa('node', [cli, 'run', '-c', file, '--seed', '7', '--json'], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    expect(run.exitCode, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({seed: 7, problems: 2, params: {temperature: 0.5}, gate: {passed: true}});
    expect(existsSync(path.join(dir, 'summary.md'))).toBe(true);
    const show = await execa('node', [cli, 'runs', 'show', 'latest', '--db', path.join(dir, 'store.db'), '--json'], {reject: false});
    const stored = JSON.parse(show.stdout);
    expect(stored.config).toMatchObject({seed: 7, params: {temperature: 0.5}, problemIds: ['PythonMini/0', 'PythonMini/1']});
    expect(stored.environment.invocation).toMatchObject({config: file, seed: 7, temperature: '0.5', 'fail-under': 0.5, output: [path.join(dir, 'summary.md')], sandbox: 'bwrap'});

    const bad = configFile('bad-cli.yaml', 'bench: humaneval\nsampels: 3\n');
    const refused = await execa('node', [cli, 'run', '-c', bad], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.trim()).toBe(`passk: ${bad}:2: unknown key "sampels" (keys are passk run's flag names)`);
  }, 300_000);
});
