import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {dockerFlags} from '../../cli/docker-flags.js';
import {cleanupContainers, type CleanupResult} from '../../execute/docker/cleanup.js';
import {dockerHosts} from '../../execute/docker/index.js';

export default class SandboxCleanup extends BaseCommand {
  static summary = 'Remove the sandbox containers passk left behind (found by label).';

  static description = `Containers normally remove themselves when passk exits or dies. This removes any that did not, on every given engine; the containers of passk processes still running on this host are kept unless --all is given.`;

  static examples = ['<%= config.bin %> sandbox cleanup', '<%= config.bin %> sandbox cleanup --all --docker-host unix:///run/a.sock --docker-host unix:///run/b.sock'];

  static flags = {
    'docker-host': dockerFlags['docker-host'],
    all: Flags.boolean({default: false, summary: 'Also remove the containers of passk processes that are still running.'}),
  };

  async run(): Promise<CleanupResult> {
    const {flags} = await this.parse(SandboxCleanup);
    const result = await cleanupContainers({dockerHosts: dockerHosts({dockerHosts: flags['docker-host']}), all: flags.all});
    for (const entry of result.removed) this.log(`removed ${entry.id} on ${entry.engine} (owner ${entry.owner}, ${entry.state})`);
    for (const entry of result.kept) this.log(`kept ${entry.id} on ${entry.engine}: its passk process ${entry.owner} still runs (--all removes it)`);
    for (const problem of result.problems) this.warn(problem);
    this.log(`${result.removed.length} container(s) removed, ${result.kept.length} kept`);
    if (result.problems.length > 0) process.exitCode = 2;
    return result;
  }
}
