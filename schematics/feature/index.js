import { strings } from '@angular-devkit/core';
import {
  applyTemplates,
  chain,
  mergeWith,
  move,
  SchematicsException,
  url,
  apply,
} from '@angular-devkit/schematics';
import { ModuleDeclarator } from '@nestjs/schematics/dist/utils/index.js';
import path from 'node:path';
import { names } from './names.js';

/**
 * `nest g feature <name> [--type owned]`: a REST resource the way this project writes one. The
 * templates in files/ are the code; this factory names things, registers the module and its
 * OpenAPI tag, formats what it wrote and says what to do next.
 */
export function feature(options) {
  const owned = options.owned === true || options.type === 'owned';
  const sourceRoot = options.sourceRoot ?? 'src';
  const n = names(options.name);
  return chain([
    refuseExisting(sourceRoot, n),
    mergeWith(apply(url('./files'), [applyTemplates({ ...n, owned, strings }), move('/')])),
    options.skipImport ? (tree) => tree : register(sourceRoot, n, owned),
    format(),
    nextSteps(n, owned),
  ]);
}

function refuseExisting(sourceRoot, n) {
  return (tree) => {
    if (tree.exists(`${sourceRoot}/${n.plural}/${n.plural}.module.ts`))
      throw new SchematicsException(`${sourceRoot}/${n.plural} exists already.`);
    return tree;
  };
}

/** Imports the module in AppModule, and declares its tag so that Swagger UI describes the group. */
function register(sourceRoot, n, owned) {
  return (tree) => {
    const appModule = `/${sourceRoot}/app.module.ts`;
    const declared = new ModuleDeclarator().declare(tree.readText(appModule), {
      metadata: 'imports',
      type: 'module',
      name: n.plural,
      path: `/${sourceRoot}/${n.plural}`,
      module: appModule,
      className: `${n.Plural}Module`,
      isEsm: true,
    });
    tree.overwrite(appModule, declared);

    const tagsFile = `/${sourceRoot}/common/swagger/api-tags.ts`;
    const tags = tree.readText(tagsFile);
    const end = tags.lastIndexOf('];');
    if (end < 0) throw new SchematicsException(`${tagsFile}: the API_TAGS array was not found.`);
    const description = owned
      ? `Your ${n.pluralWords}: each user sees and changes only their own.`
      : `${strings.capitalize(n.pluralWords)} (admins only).`;
    const entry = `  { name: '${n.plural}', description: '${description}' },\n`;
    tree.overwrite(tagsFile, tags.slice(0, end) + entry + tags.slice(end));
    return tree;
  };
}

/** Prettier with the project's configuration, so that the output passes `npm run format:check`. */
function format() {
  return async (tree) => {
    const prettier = await import('prettier');
    const touched = new Set(
      tree.actions.filter((a) => a.kind === 'c' || a.kind === 'o').map((a) => String(a.path)),
    );
    for (const file of touched) {
      if (!file.endsWith('.ts') || !tree.exists(file)) continue;
      const filepath = path.join(process.cwd(), file);
      const config = (await prettier.resolveConfig(filepath)) ?? {};
      tree.overwrite(file, await prettier.format(tree.readText(file), { ...config, filepath }));
    }
    return tree;
  };
}

function nextSteps(n, owned) {
  return (tree, context) => {
    context.logger.info(
      [
        '',
        `${owned ? 'An owned' : 'An admin-only'} resource at /api/v1/${n.plural}. Next:`,
        `  npm run migration:generate -- migrations/${n.Plural}   # the table, from the entity; review it`,
        '  npm test                                         # its unit and e2e tests among the rest',
        '  npm run openapi                                  # refresh openapi.json and the typed client, then commit',
        'Then make it yours: the fields (entity, DTOs, migration), the tests. See docs/adding-a-module.md.',
      ].join('\n'),
    );
    return tree;
  };
}
