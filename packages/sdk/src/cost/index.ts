export { costUsd } from './cost-usd.js'
export type { ModelPrice, PriceTable, TokenPrices } from './price-table.js'
export { lookupPrice, priceTable } from './price-table.js'
