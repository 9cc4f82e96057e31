import { operation } from '../lib/graphql/client';
import type {
  LoginMutation,
  LoginMutationVariables,
  ViewerQuery,
  ViewerQueryVariables,
} from '../lib/graphql/types';
import login from './Login.graphql?raw';
import viewer from './Viewer.graphql?raw';

export const Login = operation<LoginMutation, LoginMutationVariables>(login);
export const Viewer = operation<ViewerQuery, ViewerQueryVariables>(viewer);
