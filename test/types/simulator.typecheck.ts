/**
 * Compiled by `tsc --noEmit` in `npm test`, never run: `startSimulator` (the `ecoai/simulator`
 * export) takes typed options and gives typed URLs.
 */
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/index.ts";

export async function simulatorTypeChecks(): Promise<void> {
  const sim: Simulator = await startSimulator({ port: 4010, host: "127.0.0.1", delayMs: 0 });
  const urls: string[] = [sim.url, sim.openaiBaseURL, sim.anthropicBaseURL, sim.geminiBaseURL];
  const requests: number = sim.count("openai.chat.completions");
  void [urls, requests];
  const options: SimulatorOptions = {};
  await startSimulator(options);
  await startSimulator();

  // @ts-expect-error a port is a number
  await startSimulator({ port: "4010" });
  // @ts-expect-error an unknown option
  await startSimulator({ prot: 4010 });
  // @ts-expect-error the URLs are strings, not URL objects
  const notURL: URL = sim.openaiBaseURL;
  void notURL;
  await sim.close();
}
