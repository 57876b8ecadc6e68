import { describe, expect, test } from "bun:test";
import { clearOfNeighbours, directionAgrees, directionsOf, missingRareWords, rareWordsCovered, negationAgrees, numbersAgree, numbersOf, quotedOf, quotesAgree, scriptsReadable } from "../../src/cache/semantic-guards.ts";
import { ask, CHAT_ROUTE, useUpstream } from "../harness.ts";

describe("guards, one by one", () => {
  test("numbers: digits, versions, grouped thousands and number words must agree", () => {
    expect(numbersOf("Windows 8 vs 8.1, 1,000 users, three times")).toEqual(["1000", "3", "8", "8.1"]);
    expect(numbersAgree("Upgrade Windows 8 to 10", "Upgrade Windows 8 to 8.1").passed).toBe(false);
    expect(numbersAgree("What is 2 plus two?", "what is two plus 2").passed).toBe(true);
  });

  test("quotes: quoted strings must agree, case and spacing aside", () => {
    expect(quotedOf(`What does "carpe  Diem" mean? And 'memento'`)).toEqual(["carpe diem", "memento"]);
    expect(quotesAgree(`Meaning of "carpe diem"?`, `What does “Carpe diem” mean?`).passed).toBe(true);
    expect(quotesAgree(`Meaning of "carpe diem"?`, `Meaning of "memento mori"?`).passed).toBe(false);
    expect(quotedOf("Why can't I sleep? It's late")).toEqual([]);
  });

  test("negation: present in one prompt only blocks", () => {
    expect(negationAgrees("Is it safe to eat raw eggs?", "Why is it not safe to eat raw eggs?").passed).toBe(false);
    expect(negationAgrees("Why can't I sleep?", "Why am I unable to sleep?").passed).toBe(true);
  });

  test("direction: a word one prompt goes to must not be where the other comes from", () => {
    expect(directionAgrees("How do I convert Celsius to Fahrenheit?", "How do I convert Fahrenheit to Celsius?").passed).toBe(false);
    expect(directionAgrees("Move my photos from iPhone to Android", "How do I move photos from an Android to an iPhone?").passed).toBe(false);
    // The same direction in other words, and a word on both ends of a move, pass.
    expect(directionAgrees("How do I get from London to Paris?", "How do I get to Paris from London?").passed).toBe(true);
    expect(directionAgrees("Is it safe to eat raw eggs?", "Are raw eggs safe to eat?").passed).toBe(true);
    expect(directionsOf("How do I upgrade from Windows 8 to Windows 10?").has("window")).toBe(false);
  });

  test("rare words: content words of the new prompt the stored one lacks", () => {
    expect(missingRareWords("What is the best laptop for gaming?", "What is the best laptop for programming?")).toEqual(["gaming"]);
    expect(missingRareWords("What is the capital city of France?", "What is the capital of France?")).toEqual([]);
    expect(missingRareWords("Which laptops are best for programmers?", "Best laptop for a programmer")).toEqual([]);
  });

  test("rare words: a stored prompt naming more than the new one does not answer it; capitalised two-letter names count", () => {
    expect(rareWordsCovered("What is the best laptop for programming?", "What is the best laptop for programming in Kotlin?")).toMatchObject({ passed: false, detail: "not in the new prompt: kotlin" });
    expect(rareWordsCovered("How old must you be to drive in the UK?", "How old must you be to drive in the US?")).toMatchObject({ passed: false, detail: "not in the stored prompt: uk; not in the new prompt: us" });
    expect(rareWordsCovered("What is the capital of France?", "what is the capital city of France")).toMatchObject({ passed: true });
    expect(missingRareWords("Tell us about it", "Tell me about it")).toEqual([]);
  });

  test("neighbours: a match close to another stored prompt must score clearly above it", () => {
    expect(clearOfNeighbours(0.96, 0.97).passed).toBe(false);
    expect(clearOfNeighbours(0.99, 0.97).passed).toBe(true);
    expect(clearOfNeighbours(0.9, undefined).passed).toBe(true);
    expect(clearOfNeighbours(0.96, 0.999).passed).toBe(true);
  });

  test("scripts: letters the embedder cannot read, or a perfect score between texts sharing few characters", () => {
    const latin = /\p{Script=Latin}/u;
    expect(scriptsReadable("今天天气怎么样", "如何学习弹钢琴", 1, latin).passed).toBe(false);
    expect(scriptsReadable("Café au lait?", "Cafe au lait", 0.99, latin).passed).toBe(true);
    expect(scriptsReadable("今天天气怎么样", "如何学习弹钢琴", 1, undefined).passed).toBe(false);
    expect(scriptsReadable("今天天气怎么样", "今天天气怎么样？", 1, undefined).passed).toBe(true);
  });
});

describe("guards through the OpenAI SDK", () => {
  const up = useUpstream();

  /** Stores `stored`, asks `asked`: whether the stored answer was served. */
  async function served(stored: string, asked: string, semantic: object): Promise<boolean> {
    const eco = up.eco({ semantic: { threshold: 0.5, ...semantic } as never });
    const first = await eco.chat.completions.create(ask(stored));
    const before = up.sim.count(CHAT_ROUTE);
    const second = await eco.chat.completions.create(ask(asked));
    const hit = up.sim.count(CHAT_ROUTE) === before;
    expect(hit).toBe(second.id === first.id);
    return hit;
  }

  /** Only `guard` on (none when undefined). */
  const only = (guard?: string) => ({ numbers: false, quotes: false, negation: false, direction: false, rareWords: false, neighbours: false, scripts: false, ...(guard ? { [guard]: true } : {}) });

  const nearMisses: [string, string, string][] = [
    ["numbers", "How do I upgrade from Windows 8 to Windows 10?", "How do I upgrade from Windows 8 to Windows 8.1?"],
    ["quotes", 'What does "carpe diem" mean?', 'What does "memento mori" mean?'],
    ["negation", "Is it safe to eat raw eggs?", "Is it not safe to eat raw eggs?"],
    ["direction", "How do I convert Celsius to Fahrenheit?", "How do I convert Fahrenheit to Celsius?"],
    ["rareWords", "What is the best laptop for programming?", "What is the best laptop for programming in Kotlin?"],
  ];
  test.each(nearMisses)("%s: the near miss is served without the guard and goes upstream with it", async (guard, stored, asked) => {
    expect(await served(stored, asked, { guards: only() })).toBe(true);
    expect(await served(stored, asked, { guards: only(guard) })).toBe(false);
  });

  test("a paraphrase passes every guard", async () => {
    expect(await served("What is the capital of France?", "What is the capital city of France?", { threshold: 0.9 })).toBe(true);
  });

  test("scripts: prompts the local model cannot read never match; without the guard its blind vectors serve a wrong answer", async () => {
    for (const guards of [true, false]) {
      const eco = up.eco({ semantic: { embedder: "local", guards } });
      await eco.chat.completions.create(ask("今天北京的天气怎么样？"));
      const before = up.sim.count(CHAT_ROUTE);
      await eco.chat.completions.create(ask("如何学习弹钢琴？"));
      expect({ guards, upstream: up.sim.count(CHAT_ROUTE) - before }).toEqual({ guards, upstream: guards ? 1 : 0 });
    }
  }, 30_000); // the model loads at the first embedding

  test("neighbours: between two close stored prompts, a query must be clearly nearer one of them", async () => {
    // Designed vectors: two stored prompts at cosine 0.98 of each other; the query lies between them, nearer the first.
    const [first, second, query] = ["Stored prompt alpha", "Stored prompt beta", "The prompt asked"];
    const vectors: Record<string, number[]> = { [first]: [1, 0, 0], [second]: [0.98, Math.sqrt(1 - 0.98 ** 2), 0], [query]: [0.995, 0.0999, 0] };
    for (const neighbours of [false, true]) {
      const eco = up.eco({ semantic: { threshold: 0.9, embedFn: async (text: string) => vectors[text]!, embeddingModel: "designed", guards: { ...only(), neighbours } } });
      await eco.chat.completions.create(ask(first));
      // refresh: stored with its own vector rather than served from the first.
      await eco.chat.completions.create(ask(second), { ecoai: { refresh: true } });
      const before = up.sim.count(CHAT_ROUTE);
      await eco.chat.completions.create(ask(query));
      expect({ neighbours, upstream: up.sim.count(CHAT_ROUTE) - before }).toEqual({ neighbours, upstream: neighbours ? 1 : 0 });
    }
  });
});
