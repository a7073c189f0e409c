/**
 * durable-mcp's OAuth 2.1 mode, a separate entry so that Workers without it do not bundle
 * @cloudflare/workers-oauth-provider. See src/security/oauth.ts.
 */
export { OAUTH_ENDPOINTS, oauthGrant, oauthHelpers, withOAuth, type OAuthBindings, type OAuthOptions } from "./security/oauth.js";
