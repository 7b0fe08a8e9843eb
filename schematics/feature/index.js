import { strings } from '@angular-devkit/core';
import {
  applyTemplates,
  chain,
  filter,
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
 * `nest g feature <name> [--type owned|organization]`: a REST resource the way this project writes
 * one. The templates in files/ are the code; this factory names things, registers the module and
 * its OpenAPI tag, formats what it wrote and says what to do next.
 */
export function feature(options) {
  const type = options.owned === true ? 'owned' : (options.type ?? 'admin');
  const sourceRoot = options.sourceRoot ?? 'src';
  const n = names(options.name);
  const templates = applyTemplates({ ...n, ...scopeOf(type), strings });
  return chain([
    refuseExisting(sourceRoot, n),
    // An organization's resource has its own e2e suite (organization-files/): two organizations,
    // their members and a stranger.
    mergeWith(
      apply(url('./files'), [
        filter((file) => type !== 'organization' || !file.endsWith('.e2e-spec.ts.template')),
        templates,
        move('/'),
      ]),
    ),
    type === 'organization'
      ? mergeWith(apply(url('./organization-files'), [templates, move('/')]))
      : (tree) => tree,
    options.skipImport ? (tree) => tree : register(sourceRoot, n, type),
    format(),
    nextSteps(n, type),
  ]);
}

/**
 * Whose rows they are, as the templates say it: nobody's (admin), the caller's (owned: `ownerId`,
 * from the principal), or an organization's (`organizationId`, from the path, for its members).
 */
function scopeOf(type) {
  const owned = type === 'owned';
  const organization = type === 'organization';
  return {
    owned,
    organization,
    scoped: owned || organization,
    scopeKey: organization ? 'organizationId' : 'ownerId',
    scopeParameter: organization
      ? '@CurrentMembership() membership: OrganizationMembership'
      : '@CurrentPrincipal() principal: Principal',
    scopeArgument: organization ? 'membership.organizationId' : 'principal.userId',
  };
}

function refuseExisting(sourceRoot, n) {
  return (tree) => {
    if (tree.exists(`${sourceRoot}/${n.plural}/${n.plural}.module.ts`))
      throw new SchematicsException(`${sourceRoot}/${n.plural} exists already.`);
    return tree;
  };
}

/** Imports the module in AppModule, and declares its tag so that Swagger UI describes the group. */
function register(sourceRoot, n, type) {
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
    const description = {
      owned: `Your ${n.pluralWords}: each user sees and changes only their own.`,
      organization: `The ${n.pluralWords} of an organization: its members see and change them, nobody else.`,
      admin: `${strings.capitalize(n.pluralWords)} (admins only).`,
    }[type];
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

function nextSteps(n, type) {
  const what = {
    owned: `An owned resource at /api/v1/${n.plural}`,
    organization: `An organization's resource at /api/v1/organizations/{organizationId}/${n.plural}`,
    admin: `An admin-only resource at /api/v1/${n.plural}`,
  }[type];
  return (tree, context) => {
    context.logger.info(
      [
        '',
        `${what}. Next:`,
        `  npm run migration:generate -- migrations/${n.Plural}   # the table, from the entity; review it`,
        '  npm test                                         # its unit and e2e tests among the rest',
        '  npm run openapi                                  # refresh openapi.json and the typed client, then commit',
        'Then make it yours: the fields (entity, DTOs, migration), the tests. See docs/adding-a-module.md.',
      ].join('\n'),
    );
    return tree;
  };
}
