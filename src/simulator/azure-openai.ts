/**
 * Azure OpenAI's data plane, mounted at `/openai` (the `AzureOpenAI` client's `endpoint` is the
 * simulator's url): `POST /openai/deployments/<deployment>/chat/completions?api-version=…` with
 * an `api-key` header or an Entra bearer token. A deployment answers as the model it names,
 * whatever the body's `model` says, as Azure does.
 *
 * @module
 */
import { handleChatCompletions } from "./openai-chat.ts";
import { asObject, openaiError } from "./openai-wire.ts";
import type { JsonResponse, ProviderMount, SimRequest } from "./types.ts";

export const azureOpenAIMount: ProviderMount = {
  name: "azure-openai",
  basePath: "/openai",
  routes: [
    {
      method: "POST",
      pattern: /^\/deployments\/([^/]+)\/chat\/completions$/,
      name: "azure.chat.completions",
      handle: (request, match) => handleChatCompletions(asDeployment(request, decodeURIComponent(match[1] ?? ""))),
    },
  ],
  error: openaiError,
  authenticate(request: SimRequest): JsonResponse | undefined {
    // Azure answers a request without `api-version` as an unknown resource.
    if (!request.url.searchParams.get("api-version")) return openaiError(404, "Resource not found", { code: "404" });
    if (request.headers["api-key"] || /^Bearer\s+\S+/i.test(request.headers.authorization ?? "")) return undefined;
    return openaiError(401, "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.", { code: "401" });
  },
};

/** The request as the deployment's model sees it. */
function asDeployment(request: SimRequest, deployment: string): SimRequest {
  return { ...request, body: { ...asObject(request.body), model: deployment } };
}
