// What the Dockerfile says about the image it builds, for the tools that run the app as the image
// does without an engine: the bench, the compiled-app test and CI's container check.
import { readFileSync } from 'node:fs';

/** The Dockerfile's stages by name (`FROM … AS <name>`), each with its own lines. */
export function dockerfileStages(text = readFileSync('Dockerfile', 'utf8')) {
  return Object.fromEntries(
    text
      .split(/^(?=FROM )/m)
      .map((stage) => [/^FROM \S+ AS (\S+)$/m.exec(stage)?.[1], stage])
      .filter(([name]) => name),
  );
}

/** The runtime stage's `ENV` variables and its exec-form `CMD`. */
export function imageRuntime(text) {
  const runtime = dockerfileStages(text).runtime;
  const env = Object.fromEntries(
    [...runtime.matchAll(/^ENV (\w+)=(?:"([^"]*)"|(\S+))$/gm)].map(([, name, quoted, plain]) => [
      name,
      quoted ?? plain,
    ]),
  );
  const command = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)[1]);
  return { env, command };
}
