import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {openSandbox} from '../../execute/index.js';
import {checkEndpoint} from '../../generate/openai.js';
import {runItertl, type ItertlResult} from '../../train/itertl/loop.js';
import {loadItertlSpec} from '../../train/itertl/spec.js';
import {formatStatus, readStatus} from '../../train/itertl/status.js';

export default class DatagenItertl extends BaseCommand {
  static summary = 'Run ITERTL-style rounds: sample, filter and score with tool feedback, export training data, train, serve, evaluate.';

  static description = `Each round samples K answers per seed row from the current model, records every filter's verdict on every sample (extract, compile, self_contained, simulate, tests, similarity, decontaminate), selects rows (all, best_of_k, top_k, pairs), exports them for TRL, axolotl, LLaMA-Factory, RTLCoder-style ranking and OpenAI fine-tuning, then runs the train hook, serves the result (shell hook or vLLM LoRA hot-load) and evaluates it with a passk run; the next round samples the served model.

Rounds are resumable: run the same command again after an interruption or a failed hook and it continues where it stopped. The spec format is in docs/itertl.md and schema/passk.itertl.schema.json.`;

  static examples = ['<%= config.bin %> datagen itertl --spec itertl.yaml', '<%= config.bin %> datagen status --spec itertl.yaml'];

  static flags = {
    spec: Flags.string({required: true, summary: 'YAML spec (schema/passk.itertl.schema.json).'}),
  };

  async run(): Promise<ItertlResult> {
    const {flags} = await this.parse(DatagenItertl);
    const spec = loadItertlSpec(flags.spec);
    const store = this.openStore(flags.db);
    const apiKey = process.env.OPENAI_API_KEY;
    await checkEndpoint(spec.endpoint.base_url, apiKey);
    const sandbox = await openSandbox({backend: spec.sandbox.backend, toolchainRoot: spec.sandbox.toolchain_root, poolSize: spec.sandbox.exec_concurrency});
    if (sandbox.backend === 'unsafe') this.warn('sandbox backend unsafe: untrusted code runs directly on this host');
    try {
      const result = await runItertl({spec, store, sandbox, passkVersion: this.config.version, apiKey, onProgress: (message) => this.logToStderr(`itertl: ${message}`)});
      this.log(formatStatus(readStatus(result.out)));
      return result;
    } finally {
      await sandbox.close();
    }
  }
}
