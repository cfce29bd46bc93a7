/**
 * Writes oclif.manifest.json (run by `npm run build`). Without it oclif imports every command
 * module, with all their dependencies, on every invocation just to list the commands: ~0.3-0.6 s
 * of each `passk run` (bench/pipeline.ts times the whole command). A manifest from another passk
 * version is ignored by oclif, which then falls back to importing every command.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Plugin} from '@oclif/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true});
await plugin.load();
writeFileSync(path.join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
