// The parts of generated results that this folder's components name.
import type * as Types from '../lib/graphql/types';

export type Level = Types.InventoryLevelsQuery['inventoryLevels']['nodes'][number];

export type Location = Types.InventoryLevelsQuery['locations']['nodes'][number];
