/** The dataset library: ingestion, summary, queries, the packed cache and thumbnails. */
export { ingestDataset, NoImagesError, type IngestOptions, type IngestResult } from './ingest'
export { datasetSummary, attributeCounts } from './summary'
export { queryImages, type ParsedDatasetQuery } from './queries'
export { openImageCache, type ImageCache } from './imageCache'
export { thumbnail } from './thumbnail'
export { DEFAULT_CROP, type CropSpec } from './crop'
export { detectLayout, type DatasetLayout } from './layout'
