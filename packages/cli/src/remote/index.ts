export * from './remote-client.js'
export * from './remote-flags.js'
export * from './table.js'
export * from './record-view.js'
