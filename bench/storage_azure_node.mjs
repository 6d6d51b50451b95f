// The node counterpart of bench/storage_azure_benchmark.cc: upload and
// download one 256 MiB object through Azurite with @azure/storage-blob.
//   scripts/services/azurite.sh start /tmp/rs-bench-azurite
//   RS_BENCH_AZURITE_DIR=/tmp/rs-bench-azurite node bench/storage_azure_node.mjs
// (or RS_BENCH_AZURITE_ENDPOINT / _ACCOUNT / _KEY). Prints MB/s per step,
// best of RS_BENCH_ITERATIONS (default 3), using the SDK's parallel block
// upload and parallel ranged download (8 MiB blocks, 4 at a time).
import { readFileSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

const DEV_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const OBJECT_BYTES = 256 * 1024 * 1024;
const BLOCK_BYTES = 8 * 1024 * 1024;
const CONCURRENCY = 4;

function settings() {
  const file = {};
  if (process.env.RS_BENCH_AZURITE_DIR) {
    for (const line of readFileSync(`${process.env.RS_BENCH_AZURITE_DIR}/azurite.env`, "utf8").split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) file[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  const endpoint = process.env.RS_BENCH_AZURITE_ENDPOINT || file.RS_TEST_AZURITE_ENDPOINT;
  if (!endpoint) {
    console.error("set RS_BENCH_AZURITE_DIR or RS_BENCH_AZURITE_ENDPOINT");
    process.exit(2);
  }
  return {
    endpoint,
    account: process.env.RS_BENCH_AZURITE_ACCOUNT || file.RS_TEST_AZURITE_ACCOUNT || "devstoreaccount1",
    key: process.env.RS_BENCH_AZURITE_KEY || file.RS_TEST_AZURITE_KEY || DEV_KEY,
  };
}

async function timed(label, bytes, iterations, fn) {
  let best = Infinity;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  const mbps = bytes / (1024 * 1024) / best;
  console.log(`${label}: ${mbps.toFixed(1)} MiB/s (best of ${iterations}, ${(best * 1000).toFixed(0)} ms)`);
}

const { endpoint, account, key } = settings();
const iterations = Number(process.env.RS_BENCH_ITERATIONS || 3);
const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key));
const container = service.getContainerClient("rs-bench-node");
await container.createIfNotExists();
const blob = container.getBlockBlobClient("bench/object-256MiB.bin");
const data = randomFillSync(Buffer.alloc(OBJECT_BYTES));

await timed("node upload 256 MiB", OBJECT_BYTES, iterations, () =>
  blob.uploadData(data, { blockSize: BLOCK_BYTES, concurrency: CONCURRENCY }));
await timed("node download 256 MiB", OBJECT_BYTES, iterations, async () => {
  const got = await blob.downloadToBuffer(0, undefined, { blockSize: BLOCK_BYTES, concurrency: CONCURRENCY });
  if (got.length !== OBJECT_BYTES) throw new Error(`short read: ${got.length}`);
});
