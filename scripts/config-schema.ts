/**
 * Writes the published JSON Schemas from their zod schemas: schema/passk.config.schema.json (passk run -c)
 * and schema/passk.itertl.schema.json (passk datagen itertl --spec). Tests check both are current.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {configJsonSchema} from '../src/cli/config-schema.js';
import Run from '../src/commands/run.js';
import {itertlJsonSchema} from '../src/train/itertl/spec.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema');
const schemas: Array<[string, Record<string, unknown>]> = [
  ['passk.config.schema.json', configJsonSchema({...Run.baseFlags, ...Run.flags})],
  ['passk.itertl.schema.json', itertlJsonSchema()],
];
for (const [name, schema] of schemas) {
  writeFileSync(path.join(dir, name), JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${path.join(dir, name)}`);
}
