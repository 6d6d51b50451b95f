// Creates a blob container on the suite's Azurite (the job itself never
// creates containers). Usage: node bench/suite/azurite_container.mjs ENV_FILE NAME
// where ENV_FILE is the azurite.env written by scripts/services/azurite.sh.
import { readFileSync } from 'node:fs';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

const [envFile, name] = process.argv.slice(2);
if (!envFile || !name) {
  console.error('usage: node bench/suite/azurite_container.mjs ENV_FILE NAME');
  process.exit(2);
}
const env = {};
for (const line of readFileSync(envFile, 'utf8').split('\n')) {
  const eq = line.indexOf('=');
  if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
}
const credential = new StorageSharedKeyCredential(env.RS_TEST_AZURITE_ACCOUNT, env.RS_TEST_AZURITE_KEY);
const service = new BlobServiceClient(env.RS_TEST_AZURITE_ENDPOINT, credential);
try {
  await service.getContainerClient(name).createIfNotExists();
} catch (e) {
  console.error(`azurite_container: create ${name}: ${e.message}`);
  process.exit(1);
}
