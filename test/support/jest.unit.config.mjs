// The unit tests alone, as one Jest project: what `npm run test:mutation` (StrykerJS) runs against
// each mutant. The main jest.config.mjs holds every project, the e2e one with its database set-up.
import path from 'node:path';
import { unitProject } from '../../jest.config.mjs';

export default { ...unitProject, rootDir: path.resolve(import.meta.dirname, '../..') };
