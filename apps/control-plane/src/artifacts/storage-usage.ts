import type { EntityManager } from 'typeorm';

/** Bytes a user's artifacts take in the store (results being uploaded included). */
export async function storageUsedBy(manager: EntityManager, userId: string): Promise<number> {
  const rows: Array<{ used: string }> = await manager.query(`SELECT COALESCE(SUM(size), 0) AS used FROM artifacts WHERE user_id = $1`, [userId]);
  return Number(rows[0].used);
}
