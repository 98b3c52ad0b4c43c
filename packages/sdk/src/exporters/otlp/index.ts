export type { OtlpExporterOptions } from './otlp-exporter.js'
export { createOtlpExporter, OtlpExporter } from './otlp-exporter.js'
