import path from 'node:path';
import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {defaultDatasetDir, fetchDataset, loadManifest, type FetchProgress, type FetchResult, type Manifest} from '../../datasets/index.js';

export default class DatasetsFetch extends BaseCommand {
  static summary = 'Download an official dataset and verify every file against its pinned sha256.';

  static description = `Files come from the upstream URLs at the commits or tags pinned in the dataset's manifest (see \`passk datasets list\`). Files already present with the right hash are kept, so an interrupted fetch resumes; a file whose hash does not match is never left in place.

Default folder: $PASSK_CACHE_DIR/datasets/<name>, else ~/.cache/passk/datasets/<name>.`;

  static examples = [
    '<%= config.bin %> datasets fetch verilog-eval',
    '<%= config.bin %> datasets fetch humaneval --dir data/humaneval',
    '<%= config.bin %> datasets fetch humaneval --base-url https://mirror.example/human-eval/ --json',
  ];

  static args = {
    name: Args.string({required: true, description: 'Dataset name (see `passk datasets list`).'}),
  };

  static flags = {
    dir: Flags.string({summary: 'Folder to put the dataset in (default: the cache folder).'}),
    'base-url': Flags.string({summary: "Download from this base URL instead of the manifest's (a mirror)."}),
    force: Flags.boolean({default: false, summary: 'Download every file again, even when a verified copy is present.'}),
    concurrency: Flags.integer({char: 'j', min: 1, default: 8, summary: 'Simultaneous downloads.'}),
  };

  async run(): Promise<FetchResult> {
    const {args, flags} = await this.parse(DatasetsFetch);
    const manifest = loadManifest(args.name);
    const dir = path.resolve(flags.dir ?? defaultDatasetDir(manifest.name));
    this.logToStderr(`fetching ${manifest.name} (${manifest.files.length} files) into ${dir}`);
    const result = await fetchDataset(manifest, {
      dir,
      baseUrl: flags['base-url'],
      force: flags.force,
      concurrency: flags.concurrency,
      onProgress: this.progressPrinter(),
    });
    this.log(`${result.name}: ${result.files} files verified in ${result.dir} (${result.downloaded} downloaded, ${result.reused} already present)`);
    for (const hint of runHints(manifest, result.dir)) this.log(`  ${hint}`);
    return result;
  }

  /** A line per downloaded file for small datasets; for large ones at most one a second, and the last. */
  private progressPrinter(): (progress: FetchProgress) => void {
    let lastLine = 0;
    return ({file, outcome, done, total}) => {
      if (total <= 20) {
        if (outcome === 'downloaded') this.logToStderr(`  [${done}/${total}] ${file}`);
        return;
      }
      if (done < total && Date.now() - lastLine < 1_000) return;
      lastLine = Date.now();
      this.logToStderr(`  ${done}/${total} files`);
    };
  }
}

function runHints(manifest: Manifest, dir: string): string[] {
  if (manifest.runWith.length === 0) return [`no passk bench reads ${manifest.name} yet; the files are in ${dir}`];
  return manifest.runWith.map(({bench, dataset}) => `passk run --bench ${bench} --dataset ${shellQuote(path.join(dir, dataset))}`);
}

function shellQuote(text: string): string {
  return /^[\w./@:+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}
