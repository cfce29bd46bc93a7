/**
 * `passk sandbox doctor`: what each engine is, whether it holds the sandbox image, and what is
 * really in force inside a sandbox container — asked of a job running in one, not read from the
 * settings passk meant to apply.
 */
import {defaultLimits} from '../sandbox.js';
import {connectEngine, engineVersion, unreachable, type Engine} from './engines.js';
import {within} from '../within.js';
import {defaultImage, inspectImage, type ImageInfo} from './image.js';
import {dockerHosts, openDockerSandbox, type DockerSandboxOptions} from './index.js';

export interface EngineReport {
  url: string;
  /** Why the engine cannot be used, if it cannot. */
  problem?: string;
  version?: string;
  kernel?: string;
  cgroup?: string;
  /** Docker's security options, e.g. name=seccomp,profile=default. */
  securityOptions?: string[];
  image?: ImageInfo;
}

export interface DoctorReport {
  image: string;
  engines: EngineReport[];
  /** Tool versions inside the image (when some engine can run it). */
  toolchain?: Record<string, string>;
  /** Read inside a running sandbox: user, capabilities, no_new_privs, seccomp, network, mounts, cgroup caps. */
  inForce?: Record<string, string>;
  /** Set when the sandbox could not be started on the usable engines. */
  sandboxProblem?: string;
}

/** Prints, as JSON, what a job sees of its own confinement. */
const probe = String.raw`
import json, os
status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)
def first(paths):
    for path in paths:
        try:
            return open(path).read().strip()
        except OSError:
            pass
    return 'unknown'
def writable(path):
    try:
        open(path, 'w').close()
        os.unlink(path)
        return 'writable'
    except OSError as error:
        return 'read-only' if error.errno == 30 else f'refused ({error.strerror})'
mounts = {}
for line in open('/proc/self/mountinfo'):
    fields = line.split()
    if fields[4] in ('/work', '/tmp', '/dev/shm'):
        mounts[fields[4]] = fields[fields.index('-') + 1] + ' ' + fields[5] + ',' + fields[-1]
report = {
    'user': f"uid {os.getuid()} gid {os.getgid()}",
    'capabilities (effective)': status['CapEff'].strip(),
    'capabilities (bounding)': status['CapBnd'].strip(),
    'no_new_privs': status['NoNewPrivs'].strip(),
    'seccomp': {'0': 'off', '1': 'strict', '2': 'filter'}.get(status['Seccomp'].strip(), status['Seccomp'].strip()),
    'network interfaces': ' '.join(sorted(os.listdir('/sys/class/net'))),
    'root filesystem': writable('/usr/passk-doctor-probe'),
    'pids limit': first(['/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max']),
    'memory limit (bytes)': first(['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']),
    'memory+swap limit (bytes)': first(['/sys/fs/cgroup/memory.swap.max', '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes']),
    'cpu quota': first(['/sys/fs/cgroup/cpu.max', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us']),
    'pid 1': open('/proc/1/cmdline').read().replace('\0', ' ').strip(),
}
for path, mount in sorted(mounts.items()):
    report['mount ' + path] = mount
print(json.dumps(report))
`;

async function describeEngine(engine: Engine, image: string): Promise<EngineReport> {
  const problem = await unreachable(engine);
  if (problem) return {url: engine.url, problem: `not reachable: ${problem}`};
  const info = await within(engine.docker.info(), 10_000, 'info');
  const found = await inspectImage(engine, image);
  return {
    url: engine.url,
    ...(found ? {} : {problem: `image ${image} not found (run \`passk sandbox build\`)`}),
    version: await engineVersion(engine),
    kernel: info.KernelVersion,
    cgroup: `v${info.CgroupVersion ?? '1'} (${info.CgroupDriver})`,
    securityOptions: info.SecurityOptions,
    ...(found ? {image: found} : {}),
  };
}

export async function diagnose(options: Pick<DockerSandboxOptions, 'dockerHosts' | 'image'> = {}): Promise<DoctorReport> {
  const image = options.image ?? defaultImage();
  const engines = await Promise.all(dockerHosts(options).map((url) => describeEngine(connectEngine(url), image)));
  const report: DoctorReport = {image, engines};
  const usable = engines.filter((engine) => !engine.problem).map((engine) => engine.url);
  if (usable.length === 0) return report;
  try {
    const sandbox = await openDockerSandbox({dockerHosts: usable, image, poolSize: 1});
    try {
      report.toolchain = await sandbox.toolchain();
      const result = await sandbox.run({files: {'probe.py': probe}, steps: [{argv: ['python3', '-I', 'probe.py'], timeoutMs: 10_000}], limits: defaultLimits});
      const step = result.steps[0];
      if (result.error || step?.exitCode !== 0) throw new Error(result.error ?? `the probe failed: ${step?.stderr.trim()}`);
      report.inForce = JSON.parse(step.stdout) as Record<string, string>;
    } finally {
      await sandbox.close();
    }
  } catch (error) {
    report.sandboxProblem = (error as Error).message;
  }
  return report;
}
