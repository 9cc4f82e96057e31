import { operation } from '../lib/graphql/client';
import type {
  LoginMutation,
  LoginMutationVariables,
  LogoutMutation,
  LogoutMutationVariables,
  ViewerQuery,
  ViewerQueryVariables,
} from '../lib/graphql/types';
import login from './Login.graphql?raw';
import logout from './Logout.graphql?raw';
import viewer from './Viewer.graphql?raw';

export const Login = operation<LoginMutation, LoginMutationVariables>(login);
export const Logout = operation<LogoutMutation, LogoutMutationVariables>(logout);
export const Viewer = operation<ViewerQuery, ViewerQueryVariables>(viewer);
