import {BaseCommand} from '../../cli/base-command.js';
import {datasetStatus, defaultDatasetDir, loadManifests, type DatasetStatus} from '../../datasets/index.js';

interface DatasetListing {
  name: string;
  description: string;
  license: string;
  source: string;
  files: number;
  /** Total bytes of the files whose size the manifest records. */
  bytes: number;
  /** The default folder and how much of the dataset it holds, verified by hash. */
  cache: DatasetStatus;
}

export default class DatasetsList extends BaseCommand {
  static summary = 'List the datasets passk can fetch, and which are in the cache.';
  static description = 'A dataset is cached when every file is present in its default folder with the pinned sha256 ($PASSK_CACHE_DIR/datasets/<name>, else ~/.cache/passk/datasets/<name>).';
  static examples = ['<%= config.bin %> datasets list', '<%= config.bin %> datasets list --json'];

  async run(): Promise<{datasets: DatasetListing[]}> {
    await this.parse(DatasetsList);
    const datasets: DatasetListing[] = [];
    for (const manifest of loadManifests()) {
      const cache = await datasetStatus(manifest, defaultDatasetDir(manifest.name));
      datasets.push({
        name: manifest.name,
        description: manifest.description,
        license: manifest.license,
        source: manifest.source,
        files: manifest.files.length,
        bytes: manifest.files.reduce((sum, file) => sum + (file.size ?? 0), 0),
        cache,
      });
    }
    for (const d of datasets) {
      const state = d.cache.complete ? 'cached' : d.cache.verified > 0 ? `partial (${d.cache.verified}/${d.cache.total})` : 'not cached';
      this.log(`${d.name.padEnd(14)}  ${`${d.files} files, ${humanSize(d.bytes)}`.padEnd(22)}  ${state.padEnd(22)}  ${d.cache.dir}`);
      this.log(`  ${d.description}`);
    }
    return {datasets};
  }
}

function humanSize(bytes: number): string {
  return bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
