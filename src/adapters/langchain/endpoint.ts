import { EcoAIConfigError } from "../../errors.ts";
import { langChainType } from "./generations-method.ts";

/** Fields under which chat model classes put their endpoint in the llm string. */
const ENDPOINT_FIELDS = ["baseURL", "baseUrl", "apiUrl", "anthropicApiUrl", "endpoint", "basePath", "azureOpenAIEndpoint", "azureOpenAIBasePath", "azureOpenAIApiInstanceName"];

/**
 * Model classes (by `_type`) whose llm string names their endpoint whenever one is set, so an llm
 * string that names none means the provider's own: `ChatOpenAI` spreads its client configuration,
 * `baseURL` (from `configuration` or `OPENAI_BASE_URL`) included. `ChatAnthropic` does not.
 */
const NAMES_ITS_ENDPOINT = new Set(["openai"]);

/** The code of the error a lookup throws when neither the llm string nor the cache names the endpoint. */
export const ENDPOINT_UNKNOWN = "ECOAI_LANGCHAIN_ENDPOINT_UNKNOWN";

/**
 * The endpoint a LangChain chat model calls, for the cache key: the one its llm string names,
 * else the provider's own for classes that always name a configured one, else the cache's
 * `baseURL` option. With none of these, two endpoints would share entries, so the call fails.
 *
 * @example langChainEndpoint({ _type: "anthropic", model: "claude-sonnet-4-5" }, "https://proxy.example/anthropic") // "https://proxy.example/anthropic"
 */
export function langChainEndpoint(parameters: Record<string, unknown>, cacheBaseURL: string | undefined): string {
  const named = ENDPOINT_FIELDS.map((field) => parameters[field]).filter((value) => typeof value === "string" && value !== "");
  if (named.length > 0) return named.join(" ");
  const type = langChainType(parameters);
  if (NAMES_ITS_ENDPOINT.has(type)) return "";
  if (cacheBaseURL !== undefined) return cacheBaseURL;
  throw new EcoAIConfigError(
    "baseURL",
    undefined,
    "constructor option",
    `EcoAICache cannot see which endpoint "${type || "unknown"}" chat models call: LangChain leaves it out of what it hands a cache, and two endpoints must never share answers. Pass the model's endpoint, e.g. new EcoAICache({ baseURL: "https://api.anthropic.com" }), one cache per endpoint.`,
    ENDPOINT_UNKNOWN,
  );
}
