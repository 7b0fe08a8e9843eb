import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the OpenAPI document says about the API itself, from package.json: one source for both. */
export interface PackageInfo {
  version: string;
  license: string;
  author?: { name: string; email?: string; url?: string };
}

/**
 * package.json of the app, found from this file upwards (`src/common` in a checkout, `dist/src/common`
 * when built, `/app/dist/src/common` in the image, which copies package.json to /app).
 */
export function packageInfo(from = import.meta.dirname): PackageInfo {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as PackageInfo & { name?: string };
      if (json.name === 'gatehouse') return json;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of gatehouse above ${from}`);
  }
}
