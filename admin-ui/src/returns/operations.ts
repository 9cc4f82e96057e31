import { operation } from '../lib/graphql/client';
import type * as Types from '../lib/graphql/types';
import approveReturn from './ApproveReturn.graphql?raw';
import closeReturn from './CloseReturn.graphql?raw';
import createExchange from './CreateExchange.graphql?raw';
import receiveReturn from './ReceiveReturn.graphql?raw';
import refundReturn from './RefundReturn.graphql?raw';
import rejectReturn from './RejectReturn.graphql?raw';
import returnDetail from './Return.graphql?raw';
import returns from './Returns.graphql?raw';

export const Returns = operation<Types.ReturnsQuery, Types.ReturnsQueryVariables>(returns);
export const Return = operation<Types.ReturnQuery, Types.ReturnQueryVariables>(returnDetail);
export const ApproveReturn = operation<
  Types.ApproveReturnMutation,
  Types.ApproveReturnMutationVariables
>(approveReturn);
export const RejectReturn = operation<
  Types.RejectReturnMutation,
  Types.RejectReturnMutationVariables
>(rejectReturn);
export const CloseReturn = operation<
  Types.CloseReturnMutation,
  Types.CloseReturnMutationVariables
>(closeReturn);
export const ReceiveReturn = operation<
  Types.ReceiveReturnMutation,
  Types.ReceiveReturnMutationVariables
>(receiveReturn);
export const RefundReturn = operation<
  Types.RefundReturnMutation,
  Types.RefundReturnMutationVariables
>(refundReturn);
export const CreateExchange = operation<
  Types.CreateExchangeMutation,
  Types.CreateExchangeMutationVariables
>(createExchange);

export type ReturnDetail = Extract<
  NonNullable<Types.ReturnQuery['node']>,
  { __typename?: 'Return'; lines: unknown }
>;
