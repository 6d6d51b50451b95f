// `table` subcommands over rs::delta (see table_command.h).
#include "cli/table_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>

#include "delta/row_json.h"
#include "delta/table.h"

namespace rs::cli {
namespace {

using json = nlohmann::ordered_json;

struct TableArgs {
  std::string uri;
  std::optional<int64_t> version;
  std::string columns;
  std::vector<std::string> where;
  std::optional<double> retain_hours;  // vacuum: default the table's retention
  bool keep_log = false;               // vacuum --keep-log
  bool dry_run = false;
  bool force = false;
  std::optional<int64_t> limit;  // history --limit
};

Result<delta::Table> OpenTable(CliContext& ctx, const std::string& uri) {
  RS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Storage> store,
                      storage::OpenStorage(uri, ctx.storage_options));
  return delta::Table::Open(std::shared_ptr<storage::Storage>(std::move(store)), "");
}

Result<delta::Snapshot> LoadSnapshot(const delta::Table& table, const TableArgs& args) {
  delta::SnapshotSpec spec;
  spec.version = args.version;
  return table.LoadSnapshot(spec);
}

json OptionalList(const std::optional<std::vector<std::string>>& items) {
  return items ? json(*items) : json(nullptr);
}

Status RunInfo(CliContext& ctx, const TableArgs& args) {
  RS_ASSIGN_OR_RETURN(auto table, OpenTable(ctx, args.uri));
  RS_ASSIGN_OR_RETURN(delta::Snapshot s, LoadSnapshot(table, args));
  RS_ASSIGN_OR_RETURN(int64_t num_rows, table.CountRows(s));
  int64_t size_bytes = 0;
  for (const delta::AddFile& f : s.files) size_bytes += f.size_bytes;
  json info = {{"version", s.version},
               {"timestamp_ms", s.commit_timestamp_ms},
               {"table_id", s.metadata.id},
               {"partition_columns", s.metadata.partition_columns},
               {"schema", json::parse(delta::SchemaFieldsJson(s.metadata.schema))},
               {"num_files", s.files.size()},
               {"num_rows", num_rows},
               {"size_bytes", size_bytes},
               {"min_reader_version", s.protocol.min_reader_version},
               {"min_writer_version", s.protocol.min_writer_version},
               {"reader_features", OptionalList(s.protocol.reader_features)},
               {"writer_features", OptionalList(s.protocol.writer_features)},
               {"configuration", s.metadata.configuration},
               {"checkpoint_version", s.checkpoint_version ? json(*s.checkpoint_version)
                                                           : json(nullptr)}};
  *ctx.out << info.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  return Status::OK();
}

Result<delta::ScanOptions> ScanOptionsFrom(const delta::Snapshot& s, const TableArgs& args) {
  delta::ScanOptions options;
  std::stringstream columns(args.columns);
  for (std::string c; std::getline(columns, c, ',');) {
    if (!c.empty()) options.columns.push_back(c);
  }
  for (const std::string& w : args.where) {
    RS_ASSIGN_OR_RETURN(delta::ColumnRange r, delta::ParseEqualityFilter(s.metadata.schema, w));
    options.ranges.push_back(std::move(r));
  }
  return options;
}

Status RunScan(CliContext& ctx, const TableArgs& args) {
  RS_ASSIGN_OR_RETURN(auto table, OpenTable(ctx, args.uri));
  RS_ASSIGN_OR_RETURN(delta::Snapshot s, LoadSnapshot(table, args));
  auto options = ScanOptionsFrom(s, args);
  if (!options.ok()) {
    ctx.Fail(options.status(), kExitUsage);
    return Status::OK();
  }
  std::ostream& out = *ctx.out;
  return table.ScanEach(s, *options, [&out](const RecordBatch& batch) {
    std::string text;
    for (size_t row = 0; row < batch.num_rows; ++row) {
      text += delta::RowToJson(batch, row);
      text += '\n';
    }
    out << text;
    return out ? Status::OK() : Status::IOError("write scan output");
  });
}

Status RunHistory(CliContext& ctx, const TableArgs& args) {
  if (args.limit && *args.limit < 1) {
    ctx.Fail(Status::InvalidArgument("--limit must be at least 1"), kExitUsage);
    return Status::OK();
  }
  RS_ASSIGN_OR_RETURN(auto table, OpenTable(ctx, args.uri));
  RS_ASSIGN_OR_RETURN(std::vector<delta::HistoryEntry> history, table.History());
  // Newest first, as Delta engines' DESCRIBE HISTORY.
  std::sort(history.begin(), history.end(),
            [](const auto& a, const auto& b) { return a.version > b.version; });
  if (args.limit && history.size() > static_cast<size_t>(*args.limit)) history.resize(*args.limit);
  for (const delta::HistoryEntry& e : history) {
    json line = {{"version", e.version},
                 {"timestamp_ms", e.timestamp_ms},
                 {"operation", e.operation},
                 {"operation_parameters", e.operation_parameters},
                 {"operation_metrics", e.operation_metrics},
                 {"run_id", e.run_id.empty() ? json(nullptr) : json(e.run_id)},
                 {"engine_info", e.engine_info}};
    *ctx.out << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return Status::OK();
}

Status RunVacuum(CliContext& ctx, const TableArgs& args) {
  RS_ASSIGN_OR_RETURN(auto table, OpenTable(ctx, args.uri));
  delta::VacuumOptions options;
  options.retain_hours = args.retain_hours;
  options.clean_log = !args.keep_log;
  options.dry_run = args.dry_run;
  options.force = args.force;
  auto result = table.Vacuum(options);
  if (!result.ok() && result.status().code() == StatusCode::kInvalidArgument) {
    ctx.Fail(result.status(), kExitUsage);
    return Status::OK();
  }
  if (!result.ok()) return result.status();
  json out = {
      {"dry_run", args.dry_run},
      {"retain_hours", result->retain_hours},
      {"files", result->deleted_keys},
      {"num_files", result->deleted_keys.size()},
      {"bytes", result->bytes},
      {"log_files", result->deleted_log_keys},
      {"num_log_files", result->deleted_log_keys.size()},
      {"log_kept_from_version",
       result->log_kept_from_version >= 0 ? json(result->log_kept_from_version) : json(nullptr)}};
  *ctx.out << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  return Status::OK();
}

// Runs `fn` and turns its Status into the exit code.
void Run(CliContext& ctx, const std::shared_ptr<TableArgs>& args,
         Status (*fn)(CliContext&, const TableArgs&)) {
  Status st = fn(ctx, *args);
  if (!st.ok()) ctx.Fail(st, kExitFailure);
}

CLI::App* AddSub(CLI::App* parent, const char* name, const char* help,
                 const std::shared_ptr<TableArgs>& args) {
  CLI::App* sub = parent->add_subcommand(name, help);
  sub->add_option("URI", args->uri, "table location: path, file://, mem://, abfss://, az://")
      ->required();
  return sub;
}

}  // namespace

void AddTableCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<TableArgs>();
  CLI::App* table = app.add_subcommand("table", "Inspect and maintain a Delta table");
  table->require_subcommand(1);
  table->footer(
      "Examples:\n  ranking-signals table info /data/lake/platinum/rankings\n"
      "  ranking-signals table scan /data/lake/platinum/rankings --where year_month=2024-03\n"
      "  ranking-signals table history /data/lake/platinum/rankings\n"
      "  ranking-signals table vacuum /data/lake/platinum/rankings --dry-run\n"
      "Azure locations use the AZURE_* variables of docs/storage.md.");

  CLI::App* info = AddSub(table, "info", "Print the table's state as one JSON object", args);
  info->add_option("--version", args->version, "table version (default: latest)");
  info->footer(
      "Examples:\n  ranking-signals table info /data/lake/platinum/rankings\n"
      "  ranking-signals table info abfss://lake@acct.dfs.core.windows.net/platinum/rankings "
      "--version 12");
  info->callback([&ctx, args] { Run(ctx, args, RunInfo); });

  CLI::App* scan = AddSub(table, "scan", "Print rows as JSON lines", args);
  scan->add_option("--version", args->version, "table version (default: latest)");
  scan->add_option("--columns", args->columns, "comma-separated columns (default: all)");
  scan->add_option("--where", args->where, "COL=VALUE equality filter (repeatable)");
  scan->footer(
      "Examples:\n  ranking-signals table scan ./lake/platinum/rankings --where "
      "year_month=2024-03\n"
      "  ranking-signals table scan ./lake/gold/market_daily --columns date,symbol,close "
      "--version 3");
  scan->callback([&ctx, args] { Run(ctx, args, RunScan); });

  CLI::App* history =
      AddSub(table, "history", "Print one JSON line per version, newest first", args);
  history->add_option("--limit", args->limit, "newest N versions only (default: all)");
  history->footer(
      "Examples:\n  ranking-signals table history /data/lake/platinum/rankings --limit 10\n"
      "Each line: version, timestamp_ms, operation, operation_parameters, operation_metrics "
      "(numAddedFiles, numRemovedFiles, numOutputRows, numOutputBytes, ...), run_id, engine_info.");
  history->callback([&ctx, args] { Run(ctx, args, RunHistory); });

  CLI::App* vacuum = AddSub(table, "vacuum", "Delete unreferenced data files", args);
  vacuum->add_option("--retain-hours", args->retain_hours,
                     "delete data files removed longer ago than this (default: the table's "
                     "delta.deletedFileRetentionDuration, else 168)");
  vacuum->add_flag("--keep-log", args->keep_log,
                   "do not delete log files older than delta.logRetentionDuration (default 30 "
                   "days; only below a checkpoint the table loads from)");
  vacuum->add_flag("--dry-run", args->dry_run, "list the files without deleting");
  vacuum->add_flag("--force", args->force, "allow a retention below the table's (or 168 hours)");
  vacuum->footer(
      "Examples:\n  ranking-signals table vacuum /data/lake/platinum/rankings --dry-run\n"
      "  ranking-signals table vacuum /data/lake/platinum/rankings --retain-hours 336");
  vacuum->callback([&ctx, args] { Run(ctx, args, RunVacuum); });
}

}  // namespace rs::cli
