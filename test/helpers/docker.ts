/**
 * The Docker engines the Docker-backed tests use: $PASSK_TEST_DOCKER_HOSTS (comma-separated), else
 * the two that scripts/start-docker.sh starts. Tests skip, saying why, when none is usable.
 */
import {dockerAvailable} from '../../src/execute/docker/index.js';
import {defaultImage} from '../../src/execute/docker/image.js';

export const testDockerHosts = process.env.PASSK_TEST_DOCKER_HOSTS?.split(',').filter(Boolean) ?? [
  'unix:///run/passk-docker/engine1.sock',
  'unix:///run/passk-docker/engine2.sock',
];

/** The test engines that answer and hold this passk's sandbox image. */
export async function usableDockerHosts(): Promise<string[]> {
  const usable = await Promise.all(testDockerHosts.map((host) => dockerAvailable({dockerHosts: [host]})));
  return testDockerHosts.filter((_, index) => usable[index]);
}

export function noDockerReason(wanted = 1): string {
  return `needs ${wanted} Docker engine(s) with image ${defaultImage()} among ${testDockerHosts.join(', ')}: run scripts/start-docker.sh, then passk sandbox build with each --docker-host`;
}
