// Rewritten by `npm run migration:generate`: every migration, oldest first.
import { InitialSchema1795709843034 } from './1795709843034-InitialSchema.js';
import { Sessions1795710427048 } from './1795710427048-Sessions.js';

export const migrations = [InitialSchema1795709843034, Sessions1795710427048];
