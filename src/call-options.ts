import { EcoAIConfigError } from "./errors.ts";
import type { CallOptions } from "./types.ts";
import { validBoolean, validNonEmptyString, validReplay, validSeconds } from "./validate.ts";

const CALL_OPTION_NAMES = ["bypass", "refresh", "ttl", "semantic", "namespace", "replay"];

/** Checks the per-call `ecoai` options. */
export function validCallOptions(input: unknown): CallOptions {
  if (input === undefined) return {};
  const source = "per-call option" as const;
  if (typeof input !== "object" || input === null) throw new EcoAIConfigError("ecoai", input, source, "expected { bypass, refresh, ttl, semantic, namespace, replay }.");
  const options = input as Record<string, unknown>;
  const known = new Set(CALL_OPTION_NAMES);
  for (const name of Object.keys(options)) {
    if (!known.has(name)) throw new EcoAIConfigError(`ecoai.${name}`, options[name], source, `unknown option; expected one of ${[...known].join(", ")}.`);
  }
  const flag = (name: string) => (options[name] === undefined ? undefined : validBoolean(`ecoai.${name}`, { value: options[name], source }));
  return {
    bypass: flag("bypass"),
    refresh: flag("refresh"),
    semantic: flag("semantic"),
    ttl: options.ttl === undefined ? undefined : validSeconds("ecoai.ttl", { value: options.ttl, source }),
    namespace: options.namespace === undefined ? undefined : validNonEmptyString("ecoai.namespace", { value: options.namespace, source }, "a non-empty string"),
    replay: options.replay === undefined ? undefined : validReplay("ecoai.replay", { value: options.replay, source }),
  };
}

