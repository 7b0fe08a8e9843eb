// Rewritten by `npm run migration:generate`: every migration, oldest first.
import { InitialSchema1795709843034 } from './1795709843034-InitialSchema.js';

export const migrations = [InitialSchema1795709843034];
