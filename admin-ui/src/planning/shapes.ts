// The parts of generated results that this folder's components name.
import type * as Types from '../lib/graphql/types';

export type Replenishment = Types.PlanningQuery['replenishmentSuggestions'][number];

export type Rebalancing = Types.PlanningQuery['rebalancingSuggestions'][number];
