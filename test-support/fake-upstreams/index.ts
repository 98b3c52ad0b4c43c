export { startFakeAnthropic } from './fake-anthropic.js'
export { startFakeOpenAI } from './fake-openai.js'
export type { FakeRequest, FakeScenario, FakeServerOptions, FakeUpstream } from './fake-server.js'
export { FAKE_REPLY } from './fake-server.js'
