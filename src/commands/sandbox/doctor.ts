import {BaseCommand} from '../../cli/base-command.js';
import {dockerFlags} from '../../cli/docker-flags.js';
import {diagnose, type DoctorReport} from '../../execute/docker/doctor.js';

export default class SandboxDoctor extends BaseCommand {
  static summary = 'Check the Docker sandbox: engines, image digest, toolchain versions and the security options in force.';

  static description = `Asks every engine what it is (version, kernel, cgroup version, seccomp/AppArmor) and whether it holds the sandbox image, then starts one sandbox container and reports the toolchain versions inside it and the confinement a job actually gets (user, capabilities, no_new_privs, seccomp, network, read-only root, tmpfs mounts, pids/memory/CPU limits). Exits 2 when the sandbox cannot run.`;

  static examples = ['<%= config.bin %> sandbox doctor', '<%= config.bin %> sandbox doctor --docker-host ssh://me@box --json'];

  static flags = dockerFlags;

  async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(SandboxDoctor);
    const report = await diagnose({dockerHosts: flags['docker-host'], image: flags.image});
    this.log(`image: ${report.image}`);
    for (const engine of report.engines) {
      this.log(`engine ${engine.url}: ${engine.problem ?? 'ok'}`);
      if (engine.version) this.log(`  ${engine.version}, kernel ${engine.kernel}, cgroup ${engine.cgroup}`);
      if (engine.securityOptions) this.log(`  security options: ${engine.securityOptions.join('; ') || 'none'}`);
      if (engine.image) this.log(`  image digest: ${engine.image.id} (created ${engine.image.created})`);
    }
    if (report.toolchain) this.log(`toolchain: ${Object.entries(report.toolchain).map(([tool, version]) => `${tool}: ${version}`).join('; ')}`);
    if (report.inForce) {
      this.log('in force inside a sandbox container:');
      for (const [name, value] of Object.entries(report.inForce)) this.log(`  ${name}: ${value}`);
    }
    if (report.sandboxProblem) this.warn(`the sandbox did not run: ${report.sandboxProblem}`);
    if (!report.inForce) process.exitCode = 2;
    return report;
  }
}
