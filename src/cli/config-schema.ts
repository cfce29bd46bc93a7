/**
 * The `passk run -c passk.yaml` file: one key per `passk run` flag (same name, same meaning), checked
 * with zod. The JSON Schema published in schema/ is generated from this (`configJsonSchema`) and a
 * test keeps the two in sync.
 */
import {z} from 'zod';
import {benchNames} from '../bench/index.js';
import {responseFormats} from '../train/lintseq/responses.js';

/** A fraction in [0, 1], or a percentage string such as "2%". */
const fraction = z.union([z.number().min(0).max(1), z.string().regex(/^(100|\d{1,2})(\.\d+)?%$/, 'expected a percentage such as "2%"')]);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]);

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  bench: z.enum(benchNames).optional(),
  task: z.string().optional(),
  dataset: z.string().optional(),
  shots: z.int().min(0).max(4).optional(),
  rules: z.boolean().optional(),
  model: z.string().optional(),
  'replay-prompts': z.string().optional(),
  'base-url': z.string().optional(),
  samples: z.int().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  'top-p': z.number().gt(0).max(1).optional(),
  'max-tokens': z.int().min(1).optional(),
  seed: z.int().optional(),
  verdict: z.enum(['strict', 'compat']).optional(),
  'response-format': z.enum(responseFormats).optional(),
  k: oneOrMany(z.int().min(1)).optional(),
  problems: oneOrMany(z.string()).optional(),
  concurrency: z.int().min(1).optional(),
  'exec-concurrency': z.int().min(1).optional(),
  'exec-batch': z.int().min(1).optional(),
  'exec-timeout': z.int().min(1).optional(),
  mini: z.boolean().optional(),
  'test-details': z.boolean().optional(),
  'min-time-limit': z.number().gt(0).optional(),
  'gt-time-limit-factor': z.number().gt(0).optional(),
  'request-timeout': z.int().min(1).optional(),
  'max-retries': z.int().min(0).optional(),
  'max-error-rate': z.number().min(0).max(1).optional(),
  cache: z.boolean().optional(),
  out: z.string().optional(),
  output: oneOrMany(z.string()).optional(),
  baseline: z.string().optional(),
  'max-regression': fraction.optional(),
  'fail-under': fraction.optional(),
  'gate-k': z.int().min(1).optional(),
  'allow-incomplete': z.boolean().optional(),
  sandbox: z.enum(['auto', 'bwrap', 'docker']).optional(),
  'docker-host': oneOrMany(z.string()).optional(),
  image: z.string().optional(),
  'toolchain-root': z.string().optional(),
  'unsafe-no-sandbox': z.boolean().optional(),
  db: z.string().optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;

/** Run flags a file cannot set: they name one invocation's action, not a configuration. */
export const invocationOnlyFlags = ['config', 'json', 'resume', 'retry-errors', 'force'];

/** Keys whose values are paths, resolved against the config file's folder. */
export const pathKeys = ['dataset', 'replay-prompts', 'out', 'output', 'db', 'toolchain-root'] as const;

/** The published JSON Schema, each key described by its flag's summary. */
export function configJsonSchema(flags: Record<string, {summary?: string}>): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema) as {properties: Record<string, Record<string, unknown>>} & Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties)) {
    const summary = flags[key]?.summary;
    if (summary) property.description = summary;
  }
  return {
    title: 'passk run configuration (passk run -c FILE)',
    ...schema,
  };
}
