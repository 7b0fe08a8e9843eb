import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { writeFile } from 'node:fs/promises';
import { setApiPrefix } from '../../app.factory.js';
import { AppModule } from '../../app.module.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * `npm run openapi`: writes openapi.json from the code, without a server or a database. In preview
 * mode Nest reads the module graph and the decorators but instantiates nothing.
 */
async function main(out = 'openapi.json'): Promise<void> {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  setApiPrefix(app);
  await writeFile(out, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  console.info(`wrote ${out}`);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
