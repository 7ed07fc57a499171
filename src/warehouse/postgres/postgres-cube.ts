/** Cube's PostgreSQL query class, as this project uses it (erasable TypeScript: cube.js loads it). */
import { PostgresQuery } from '@cubejs-backend/schema-compiler';
import { withUtcShortcut } from '../../query/utc-session-query.ts';

export const UtcPostgresQuery = withUtcShortcut(PostgresQuery as never);
