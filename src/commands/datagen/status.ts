import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';
import {loadItertlSpec} from '../../train/itertl/spec.js';
import {formatStatus, readStatus, type ItertlStatus} from '../../train/itertl/status.js';

export default class DatagenStatus extends BaseCommand {
  static summary = 'Show the rounds of an ITERTL run: stage, models, kept samples, pass rate and eval pass@k per round.';

  static examples = ['<%= config.bin %> datagen status --spec itertl.yaml', '<%= config.bin %> datagen status --dir .passk/itertl/my-run --json'];

  static flags = {
    spec: Flags.string({summary: 'The run\'s spec file.', exclusive: ['dir']}),
    dir: Flags.string({summary: 'The run\'s folder (the spec\'s out).', exclusive: ['spec']}),
  };

  async run(): Promise<ItertlStatus> {
    const {flags} = await this.parse(DatagenStatus);
    if (!flags.spec && !flags.dir) throw new UserError('give the run: --spec FILE.yaml or --dir FOLDER');
    const status = readStatus(flags.dir ?? loadItertlSpec(flags.spec!).out!);
    this.log(formatStatus(status));
    return status;
  }
}
