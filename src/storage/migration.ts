/** One schema step. Versions are applied in ascending order, each exactly once, and recorded in `schema_migrations`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
