import { expect, test } from "bun:test";
import { llmStringParams } from "../../../src/adapters/langchain/llm-string.ts";

test("pairs are read whole, commas and quotes inside their JSON included", () => {
  const tools = [{ type: "function", function: { name: "a,b", description: 'say "x:1,y:2"', parameters: {} } }];
  const llmString = `_type:"openai",model:"gpt-4o",stop:["\\n",","],temperature:0.2,tools:${JSON.stringify(tools)}`;
  expect(llmStringParams(llmString)).toEqual({ _type: "openai", model: "gpt-4o", stop: ["\n", ","], temperature: 0.2, tools });
});

test("credentials and the stream flag are left out; everything else stays", () => {
  const llmString = '_type:"openai",apiKey:"sk-1",anthropicApiKey:"sk-2",baseURL:"http://x/v1",clientSecret:"s",model:"gpt-4o",stream:false';
  expect(llmStringParams(llmString)).toEqual({ _type: "openai", baseURL: "http://x/v1", model: "gpt-4o" });
});

test("a value that is not JSON is kept as text", () => {
  expect(llmStringParams("model:gpt-4o,n:1")).toEqual({ model: "gpt-4o", n: 1 });
});
