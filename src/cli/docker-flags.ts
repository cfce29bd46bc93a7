/** Flags every command that talks to Docker engines shares. */
import {Flags} from '@oclif/core';

export const dockerFlags = {
  'docker-host': Flags.string({
    multiple: true,
    summary: 'Docker engine URL (unix:///path, tcp://host:port, https://host:port, ssh://user@host); repeat to spread the sandbox pool over several engines. Default: $DOCKER_HOST, else the local socket.',
  }),
  image: Flags.string({summary: 'Sandbox image (default: the one this passk builds, passk-sandbox:<hash of its Dockerfile and runner>).'}),
};
