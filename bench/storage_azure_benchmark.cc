// Upload and download of one 256 MiB object through the Azure Blob store,
// against a running Azurite (this program starts nothing). Run:
//   scripts/services/azurite.sh start /tmp/rs-bench-azurite
//   RS_BENCH_AZURITE_DIR=/tmp/rs-bench-azurite build/bench/bench_storage_azure
//   scripts/services/azurite.sh stop /tmp/rs-bench-azurite
// or set RS_BENCH_AZURITE_ENDPOINT (http://127.0.0.1:PORT/devstoreaccount1),
// RS_BENCH_AZURITE_ACCOUNT and RS_BENCH_AZURITE_KEY. The node counterpart is
// bench/storage_azure_node.mjs; docs/storage.md has both figures.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "storage/azure_blob.h"
#include "storage/storage.h"

namespace {

constexpr size_t kObjectBytes = size_t{256} << 20;
constexpr char kContainer[] = "rs-bench";
constexpr char kKey[] = "bench/object-256MiB.bin";

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// RS_TEST_AZURITE_* pairs of $RS_BENCH_AZURITE_DIR/azurite.env, if set.
std::map<std::string, std::string> EnvFile() {
  std::map<std::string, std::string> out;
  std::string dir = EnvOr("RS_BENCH_AZURITE_DIR", "");
  if (dir.empty()) return out;
  std::ifstream in(dir + "/azurite.env");
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// Settings for the benchmark's Azurite, or empty when none is configured.
rs::storage::StorageOptions BenchOptions() {
  auto file = EnvFile();
  std::string endpoint = EnvOr("RS_BENCH_AZURITE_ENDPOINT", file["RS_TEST_AZURITE_ENDPOINT"]);
  rs::storage::StorageOptions options;
  if (endpoint.empty()) return options;
  options.settings = {
      {"AZURE_STORAGE_ENDPOINT", endpoint},
      {"AZURE_STORAGE_ACCOUNT_NAME",
       EnvOr("RS_BENCH_AZURITE_ACCOUNT", file.count("RS_TEST_AZURITE_ACCOUNT")
                                             ? file["RS_TEST_AZURITE_ACCOUNT"]
                                             : "devstoreaccount1")},
      {"AZURE_STORAGE_ACCOUNT_KEY", EnvOr("RS_BENCH_AZURITE_KEY", file["RS_TEST_AZURITE_KEY"])},
  };
  if (options.settings["AZURE_STORAGE_ACCOUNT_KEY"].empty()) {
    options.settings["AZURE_STORAGE_USE_EMULATOR"] = "true";  // the well-known dev key
    options.settings.erase("AZURE_STORAGE_ACCOUNT_KEY");
  }
  return options;
}

const std::string& Payload() {
  static const std::string data = [] {
    std::string d(kObjectBytes, '\0');
    std::mt19937_64 rng(7);
    for (size_t i = 0; i + 8 <= d.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&d[i], &v, 8);
    }
    return d;
  }();
  return data;
}

std::unique_ptr<rs::storage::Storage> OpenBenchStore(benchmark::State& state) {
  rs::storage::StorageOptions options = BenchOptions();
  if (options.settings.empty()) {
    state.SkipWithError("set RS_BENCH_AZURITE_DIR or RS_BENCH_AZURITE_ENDPOINT (see file comment)");
    return nullptr;
  }
  std::string uri = std::string("az://") + kContainer;
  rs::Status created = rs::storage::CreateAzureContainer(uri, options);
  auto store = rs::storage::OpenStorage(uri, options);
  if (!created.ok() || !store.ok()) {
    state.SkipWithError((created.ok() ? store.status() : created).ToString().c_str());
    return nullptr;
  }
  return std::move(store).value();
}

void BM_AzureUpload256MiB(benchmark::State& state) {
  auto store = OpenBenchStore(state);
  if (!store) return;
  const std::string& data = Payload();
  for (auto _ : state) {
    rs::Status s = store->Put(kKey, data);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}

void BM_AzureDownload256MiB(benchmark::State& state) {
  auto store = OpenBenchStore(state);
  if (!store) return;
  const std::string& data = Payload();
  if (!store->Head(kKey).ok() && !store->Put(kKey, data).ok()) {
    state.SkipWithError("could not upload the object to download");
    return;
  }
  for (auto _ : state) {
    auto got = store->Get(kKey);
    if (!got.ok() || got->size() != data.size()) {
      state.SkipWithError(got.ok() ? "short read" : got.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(got->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}

BENCHMARK(BM_AzureUpload256MiB)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_AzureDownload256MiB)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
