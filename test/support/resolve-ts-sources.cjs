// Jest loads global setup and teardown outside its module system, as CommonJS compiled by ts-jest,
// where our ESM-style `./x.js` imports name files that exist only as `./x.ts`. This resolves them.
const { existsSync } = require('node:fs');
const { registerHooks } = require('node:module');
const { fileURLToPath, pathToFileURL } = require('node:url');

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
      const candidate = fileURLToPath(new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL));
      if (existsSync(candidate)) return nextResolve(pathToFileURL(candidate).href, context);
    }
    return nextResolve(specifier, context);
  },
});
