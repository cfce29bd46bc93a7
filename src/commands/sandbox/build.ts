import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {dockerFlags} from '../../cli/docker-flags.js';
import {buildImage, type BuildResult} from '../../execute/docker/image.js';
import {connectEngine, unreachable} from '../../execute/docker/engines.js';
import {dockerHosts} from '../../execute/docker/index.js';
import {UserError} from '../../errors.js';

export default class SandboxBuild extends BaseCommand {
  static summary = 'Build the Docker sandbox image (Icarus Verilog 12, Python 3 with numpy, passk’s runner).';

  static description = `Builds the project's Dockerfile on the first engine and copies the image to the others, so every engine runs the same digest. The base is debian:trixie-slim when the engine has it or can pull it; otherwise (no registry, as in air-gapped labs) a Debian trixie root is built from Debian packages with mmdebstrap (scripts/setup-toolchain.sh, as root) and imported, and the build runs without network.`;

  static examples = [
    '<%= config.bin %> sandbox build',
    '<%= config.bin %> sandbox build --docker-host unix:///run/a.sock --docker-host ssh://me@box',
    '<%= config.bin %> sandbox build --base registry.example/debian:trixie-slim',
  ];

  static flags = {
    'docker-host': dockerFlags['docker-host'],
    tag: Flags.string({summary: 'Image name (default: passk-sandbox:<hash of the Dockerfile and runner>, which `passk run --sandbox docker` uses).'}),
    base: Flags.string({summary: 'Base image to build on instead of debian:trixie-slim or the Debian-packages base.'}),
  };

  async run(): Promise<BuildResult> {
    const {flags} = await this.parse(SandboxBuild);
    const engines = dockerHosts({dockerHosts: flags['docker-host']}).map(connectEngine);
    for (const engine of engines) {
      const problem = await unreachable(engine);
      if (problem) throw new UserError(`Docker engine ${engine.url} is not reachable: ${problem}`);
    }
    const result = await buildImage({engines, tag: flags.tag, base: flags.base, onProgress: (line) => this.logToStderr(`  ${line}`)});
    this.log(`built ${result.image} (${result.id}) from ${result.base} (${result.baseSource}) on ${result.engines.join(', ')}`);
    return result;
  }
}
