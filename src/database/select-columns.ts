import type { EntityMetadata } from 'typeorm';

/**
 * `alias."column" AS "property", …` for every column of an entity, for the hand-written SQL of a hot
 * path: each column is selected under its property's name, so a row is the entity as TypeORM would
 * read it (for entities without transformers), and a column added later is selected without an edit.
 */
export function selectColumns(metadata: EntityMetadata, alias: string): string {
  return metadata.columns.map((c) => `${alias}."${c.databaseName}" AS "${c.propertyName}"`).join(', ');
}
