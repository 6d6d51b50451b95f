// DuckDB settings for the benchmark's large workloads (the SIGNALS.md SQL at
// 5,000 symbols x 10 years), as a user would tune them: with DuckDB's defaults
// (memory_limit 80% of RAM, insertion order kept) the statements outgrow a
// 24 GiB machine and the process is killed or thrashes. Here DuckDB may use
// two thirds of the RAM and spills the rest to `tempDir`.
import fs from 'node:fs';
import os from 'node:os';

export function largeWorkloadOptions(tempDir, threads) {
  fs.mkdirSync(tempDir, { recursive: true });  // DuckDB creates only the last level
  const options = {
    memory_limit: `${Math.floor((os.totalmem() * 2) / 3 / 2 ** 20)}MB`,
    temp_directory: tempDir,
    preserve_insertion_order: 'false',
  };
  if (threads) options.threads = String(threads);
  return options;
}
