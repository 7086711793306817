// What each Dockerfile instruction does (one line each) and the flags it takes, for the
// editor's hover docs and completion. Build-check rules come from the core (`rules()`).

export const INSTRUCTIONS = {
  FROM: ['Starts a stage from a base image, an earlier stage or scratch.', ['--platform=']],
  RUN: ['Runs a command in a new layer, in the stage\'s shell or exec form.', ['--mount=', '--network=', '--security=']],
  CMD: ['Sets the default command the container runs (the last CMD wins).', []],
  LABEL: ['Adds key=value metadata to the image config.', []],
  MAINTAINER: ['Deprecated: sets the author field; use a LABEL instead.', []],
  EXPOSE: ['Documents the ports the container listens on (port[/tcp|udp]).', []],
  ENV: ['Sets environment variables for later instructions and the container.', []],
  ADD: ['Copies files, URLs or git repositories into the image; extracts local tar archives.', ['--chown=', '--chmod=', '--link', '--checksum=', '--keep-git-dir', '--exclude=', '--unpack']],
  COPY: ['Copies files from the build context, a stage or an image into the image.', ['--from=', '--chown=', '--chmod=', '--link', '--parents', '--exclude=']],
  ENTRYPOINT: ['Sets the executable the container runs; CMD becomes its arguments.', []],
  VOLUME: ['Declares mount points; later changes to them in the build are discarded.', []],
  USER: ['Sets the user (and group) for later RUN, CMD and ENTRYPOINT.', []],
  WORKDIR: ['Sets the working directory for later instructions, creating it if needed.', []],
  ARG: ['Declares a build argument, with an optional default, that --build-arg can set.', []],
  ONBUILD: ['Registers an instruction to run when another build uses this image as its base.', []],
  STOPSIGNAL: ['Sets the signal that stops the container.', []],
  HEALTHCHECK: ['Sets the command that checks the container is healthy (or NONE).', ['--interval=', '--timeout=', '--start-period=', '--start-interval=', '--retries=']],
  SHELL: ['Sets the shell (exec form) for the shell form of later RUN, CMD and ENTRYPOINT.', []],
};

export const MOUNT_TYPES = ['type=bind', 'type=cache', 'type=tmpfs', 'type=secret', 'type=ssh'];
