export {defaultDatasetDir} from './cache-dir.js';
export {fetchDataset, type FetchOptions, type FetchProgress, type FetchResult} from './fetch-dataset.js';
export {fileUrl, parseManifest, type Manifest, type ManifestFile, type RunHint} from './manifest.js';
export {loadManifest, loadManifests, manifestNames, manifestsDir} from './registry.js';
export {datasetStatus, type DatasetStatus} from './status.js';
