// The parts of generated results that this folder's components name.
import type * as Types from '../lib/graphql/types';

export type PickListDetail = Extract<
  NonNullable<Types.PickListQuery['node']>,
  { __typename?: 'PickList'; tasks: unknown }
>;
