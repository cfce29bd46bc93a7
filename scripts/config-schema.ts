/** Writes schema/passk.config.schema.json from the zod config schema (test/config-file.test.ts checks it is current). */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {configJsonSchema} from '../src/cli/config-schema.js';
import Run from '../src/commands/run.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'passk.config.schema.json');
writeFileSync(file, JSON.stringify(configJsonSchema({...Run.baseFlags, ...Run.flags}), null, 2) + '\n');
console.log(`wrote ${file}`);
