// The job's settings as plain structs with their defaults. The CLI fills them
// from flags, the environment and the config file (docs/operations.md lists
// every setting); nothing below the CLI reads the environment, so every field
// here is the only way a setting reaches the code it names.
#ifndef RS_JOB_OPTIONS_H_
#define RS_JOB_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "parquet/writer.h"

namespace rs::job {

// Replication of committed months to the PostgreSQL serving copy.
struct ReplicationOptions {
  // POSTGRES_DSN: replication is on when set. A secret: never logged, never
  // part of a Status (postgres::ConnectionOptions redacts at the source).
  std::optional<std::string> dsn;
  // POSTGRES_SIGNALS_WRITE_REQUIRED: a month that cannot be replicated fails
  // the run. When false it is logged and recorded, and the run succeeds.
  bool write_required = true;
  // POSTGRES_SIGNALS_VERIFY_COUNTS: count each month's stored rows before
  // COMMIT; a mismatch rolls the month back and fails it.
  bool verify_counts = false;
  // POSTGRES_SIGNALS_CONNECTIONS: months replicated at once (1 to 16), each
  // on its own connection, each still one transaction.
  int connections = 2;
  // POSTGRES_CONNECT_TIMEOUT_SECONDS: per connection attempt.
  int connect_timeout_s = 10;
  // POSTGRES_STATEMENT_TIMEOUT_MS: 0 keeps the server's default.
  int statement_timeout_ms = 0;
  // POSTGRES_SIGNALS_LOCK_TIMEOUT_MS: how long one swap of a month's
  // partitions waits for the serving tables' lock before it backs off, so a
  // long reader never makes other readers queue behind the swap for long.
  int lock_timeout_ms = 2000;
  // POSTGRES_SIGNALS_SWAP_ATTEMPTS: swaps tried (with jittered exponential
  // backoff) before the month fails naming the blocking backends.
  int swap_attempts = 5;
};

// Bounds of the compute settings: more threads than this only slow a month
// down (a 2-core machine ran a month about 150x slower at 100,000), and
// top_n is a count of symbols.
inline constexpr int kMaxThreads = 256;
inline constexpr int kMaxTopN = 1'000'000'000;

// The ranking engine and the derived signals.
struct ComputeOptions {
  // RANKING_COMPOSITE_STRATEGY_WEIGHTS as JSON; empty = weight 1.0 each.
  std::string weights_json;
  // RANKING_SIGNALS_TOP_N: the strategies_hit threshold, 1 to kMaxTopN.
  int top_n = 50;
  // RANKING_THREADS: worker threads, 0 to kMaxThreads; 0 = all cores.
  int threads = 0;
};

// The Parquet files of the Delta tables the job writes.
struct OutputOptions {
  // RANKING_PARQUET_COMPRESSION: snappy, zstd, gzip or none. Data file names
  // say the codec, as Spark's do (".zstd.parquet").
  parquet::Compression compression = parquet::Compression::kSnappy;
  // RANKING_ROW_GROUP_BYTES: a row group is closed once its encoded size
  // reaches this.
  int64_t row_group_bytes = int64_t{128} << 20;
};

struct JobOptions {
  ReplicationOptions replication;
  ComputeOptions compute;
  OutputOptions output;
};

}  // namespace rs::job

#endif  // RS_JOB_OPTIONS_H_
