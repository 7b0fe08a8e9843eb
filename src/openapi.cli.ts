import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { writeFile } from 'node:fs/promises';
import { AppModule } from './app.module.js';
import { Configuration } from './config/configuration.js';
import { setApiPrefix } from './common/http/http-conventions.js';
import { buildOpenApiDocument } from './common/swagger/openapi.js';

/**
 * `npm run openapi`: writes openapi.json from the code, without a server or a database. In preview
 * mode Nest reads the module graph and the decorators but instantiates nothing. The configuration
 * is the default one (an empty environment), so the committed document does not depend on a `.env`.
 */
async function main(out = 'openapi.json'): Promise<void> {
  const configuration = Configuration.load(AppModule.namespaces, {});
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(configuration),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  setApiPrefix(app);
  await writeFile(
    out,
    `${JSON.stringify(buildOpenApiDocument(app, configuration, AppModule.openApiModels), null, 2)}\n`,
  );
  console.info(`wrote ${out}`);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
