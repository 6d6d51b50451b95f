#include "job/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "common/calendar.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "job/input_window_internal.h"
#include "signals/months.h"
#include "signals/ranking.h"

namespace rs::job {
namespace {

using Clock = std::chrono::steady_clock;

// The inputs of the run, and where the months come from.
struct Inputs {
  std::optional<signals::PreparedInput> prepared;  // rank stage
  std::optional<delta::Table> rankings_table;      // materialize stage
  delta::Snapshot rankings_snapshot;
  std::vector<std::string> available_months;
};

// What reading an input skipped: leftovers at INFO (expected after a
// Spark or Hive job), damaged checkpoints at WARN (the table needs a new one).
void LogSkipped(const std::string& table, const InputReadInfo& info, Logger& log) {
  if (!info.skipped_files.empty()) {
    std::vector<std::string> shown(info.skipped_files.begin(),
                                   info.skipped_files.begin() +
                                       std::min<size_t>(info.skipped_files.size(), 5));
    log.Info("skipped Parquet files under '_' or '.' paths (writers' leftovers)",
             {{"table", table}, {"files", info.skipped_files.size()}, {"first", shown}});
  }
  for (const std::string& checkpoint : info.skipped_checkpoints) {
    log.Warn("damaged checkpoint skipped: the table was read by log replay instead; write a new "
             "checkpoint (table vacuum or the next commit)",
             {{"table", table}, {"checkpoint", checkpoint}});
  }
}

// finance_daily as read, or nullopt when it is absent and optional.
Result<std::optional<RecordBatch>> FinanceOrNone(const Lake& lake, Result<RecordBatch> read,
                                                 Logger& log) {
  const LakeLayout& layout = lake.layout();
  if (read.ok()) return std::optional<RecordBatch>(std::move(read).value());
  if (read.status().IsNotFound() && !layout.finance_required) {
    log.Warn("finance_daily not found: Value_PE ranks nothing",
             {{"table", lake.Describe(layout.finance)}});
    return std::optional<RecordBatch>();
  }
  if (read.status().IsNotFound()) {
    return read.status().Annotate(
        "finance_daily named by --finance-table cannot be read (omit the flag to rank without "
        "Value_PE)");
  }
  return read.status();
}

// The log fields of an input read: rows and files read, and what was skipped.
nlohmann::json ReadFields(const Lake& lake, const std::string& path, const RecordBatch& rows,
                          const InputReadInfo& info) {
  nlohmann::json fields = {
      {"table", lake.Describe(path)},
      {"rows", rows.num_rows},
      {"files_read", info.files_read},
      {"files_total", info.files_total},
      {"files_skipped", std::max<int64_t>(0, info.files_total - info.files_read)}};
  if (info.rows_total >= 0) fields["rows_total"] = info.rows_total;
  if (info.files_skipped_by_symbol > 0) {
    fields["files_skipped_by_symbol"] = info.files_skipped_by_symbol;
  }
  return fields;
}

// The window's part of a read's log line.
void AddWindowFields(const internal::WindowRead& read, int32_t last_day, nlohmann::json* fields) {
  (*fields)["from"] = read.first_day ? FormatDate(*read.first_day) : "table start";
  (*fields)["to"] = FormatDate(last_day);
  (*fields)["extensions"] = read.extensions;
  (*fields)["symbols_short_of_history"] = read.short_symbols;
}

Status PrepareInputs(const Lake& lake, const RecordBatch& market,
                     const std::optional<RecordBatch>& finance, Logger& log, Inputs* in) {
  const LakeLayout& layout = lake.layout();
  signals::PrepareStats stats;
  std::string where = "validate market_daily " + lake.Describe(layout.market);
  if (finance) where += " and finance_daily " + lake.Describe(layout.finance);
  RS_ASSIGN_OR_RETURN_CTX(auto prepared,
                          signals::Prepare(market, finance ? &*finance : nullptr, &stats), where);
  log.Info("prepared inputs", {{"market_rows", stats.market_rows},
                               {"market_invalid_rows_dropped", stats.market_invalid_rows},
                               {"finance_rows", stats.finance_rows},
                               {"finance_invalid_rows_dropped", stats.finance_invalid_rows},
                               {"symbols", stats.symbols}});
  in->available_months = signals::AvailableMonths(prepared);
  in->prepared = std::move(prepared);
  return Status::OK();
}

// Every row of both inputs.
Status ReadAllInputs(const Lake& lake, Logger& log, Inputs* in) {
  const LakeLayout& layout = lake.layout();
  InputReadInfo market_info, finance_info;
  RS_ASSIGN_OR_RETURN(
      RecordBatch market,
      lake.ReadInput(layout.market, {"date", "symbol", "close", "volume"}, &market_info));
  LogSkipped(lake.Describe(layout.market), market_info, log);
  log.Info("read market_daily", ReadFields(lake, layout.market, market, market_info));
  auto read = lake.ReadInput(layout.finance, {"date", "symbol", "pe_ratio"}, &finance_info);
  LogSkipped(lake.Describe(layout.finance), finance_info, log);
  if (read.ok()) {
    log.Info("read finance_daily", ReadFields(lake, layout.finance, *read, finance_info));
  }
  RS_ASSIGN_OR_RETURN(auto finance, FinanceOrNone(lake, std::move(read), log));
  return PrepareInputs(lake, market, finance, log, in);
}

// The rows of the window only (input_window_internal.h). False when the
// window cannot decide the target months (the months the statistics promised
// hold no valid row) or rejects the input: the caller then reads everything.
Result<bool> ReadWindowedInputs(const Lake& lake, const internal::InputWindow& window,
                                const std::string& months_spec, Logger& log, Inputs* in) {
  const LakeLayout& layout = lake.layout();
  InputReadInfo market_info, finance_info;
  auto market_window = internal::ReadMarketWindow(lake, window, &market_info);
  // An input the window's row counting rejects (a missing or mistyped
  // column, a damaged date or symbol) is reported by the full read, in the
  // words and with the context it always had.
  if (market_window.status().code() == StatusCode::kInvalidArgument) return false;
  RS_ASSIGN_OR_RETURN(internal::WindowRead market, std::move(market_window));
  LogSkipped(lake.Describe(layout.market), market_info, log);
  nlohmann::json fields = ReadFields(lake, layout.market, market.rows, market_info);
  AddWindowFields(market, window.last_day, &fields);
  log.Info("read market_daily", fields);
  auto finance_window = internal::ReadFinanceWindow(lake, window, market.rows, &finance_info);
  if (finance_window.status().code() == StatusCode::kInvalidArgument) return false;
  LogSkipped(lake.Describe(layout.finance), finance_info, log);
  Result<RecordBatch> read = finance_window.status();
  if (finance_window.ok()) {
    fields = ReadFields(lake, layout.finance, finance_window->rows, finance_info);
    AddWindowFields(*finance_window, window.last_day, &fields);
    log.Info("read finance_daily", fields);
    read = std::move(finance_window->rows);
  }
  RS_ASSIGN_OR_RETURN(auto finance, FinanceOrNone(lake, std::move(read), log));
  RS_RETURN_IF_ERROR(PrepareInputs(lake, market.rows, finance, log, in));
  auto months = signals::ResolveMonthSpec(months_spec, in->available_months);
  return months.ok() && !months->empty() && months->front() >= YearMonthOf(window.first_target_day);
}

// Reads what the months of `months_spec` need: a window of history when the
// market input's statistics allow planning one, else everything.
Status ReadRankInputs(const Lake& lake, const std::string& months_spec, Logger& log, Inputs* in) {
  RS_ASSIGN_OR_RETURN(auto window, internal::PlanInputWindow(lake, months_spec));
  if (window) {
    RS_ASSIGN_OR_RETURN(bool decided, ReadWindowedInputs(lake, *window, months_spec, log, in));
    if (decided) return Status::OK();
    log.Info("the input window cannot decide the months or rejects the input; reading all history",
             {{"months", months_spec}});
    *in = Inputs();
  }
  return ReadAllInputs(lake, log, in);
}

// An input that cannot be read is damaged, not misconfigured: say what to do.
// Nothing has been written when inputs are read.
Status InputReadError(const Status& s) {
  if (s.code() != StatusCode::kCorruption) return s;
  return Status(s.code(), s.message() +
                              " (the input is damaged: repair or rewrite it upstream, then rerun; "
                              "nothing was written)");
}

Status ReadRankingsInputs(const Lake& lake, Logger& log, Inputs* in) {
  const std::string& path = lake.layout().rankings;
  std::string where = "read rankings " + lake.Describe(path);
  RS_ASSIGN_OR_RETURN_CTX(in->rankings_table, lake.OpenTable(path), where);
  RS_ASSIGN_OR_RETURN_CTX(in->rankings_snapshot, in->rankings_table->LoadSnapshot(), where);
  InputReadInfo info;
  info.skipped_checkpoints = in->rankings_snapshot.skipped_checkpoints;
  LogSkipped(lake.Describe(path), info, log);
  const auto& parts = in->rankings_snapshot.metadata.partition_columns;
  std::set<std::string> months;
  if (parts.size() == 1 && parts[0] == "year_month") {
    for (const auto& f : in->rankings_snapshot.files) {
      auto it = f.partition_values.find("year_month");
      if (it != f.partition_values.end() && it->second) months.insert(*it->second);
    }
  } else {
    delta::ScanOptions scan;
    scan.columns = {"date"};
    RS_ASSIGN_OR_RETURN_CTX(auto dates, in->rankings_table->Scan(in->rankings_snapshot, scan), where);
    const auto& col = dates.columns[0];
    if (col.field.type.id != TypeId::kDate) {
      return Status::InvalidArgument(where + ": column 'date' must be a date");
    }
    for (size_t i = 0; i < dates.num_rows; ++i) {
      if (col.IsValid(i)) months.insert(YearMonthOf(col.As<int32_t>()[i]));
    }
  }
  in->available_months.assign(months.begin(), months.end());
  return Status::OK();
}

Result<RecordBatch> ReadRankingsMonth(const Inputs& in, const std::string& month) {
  delta::ScanOptions scan;
  for (const Field& f : in.rankings_snapshot.metadata.schema) {
    if (f.name == "date" || f.name == "strategy" || f.name == "symbol" || f.name == "rank" ||
        f.name == "score") {
      scan.columns.push_back(f.name);
    }
  }
  RS_ASSIGN_OR_RETURN(YearMonth ym, YearMonth::Parse(month));
  scan.ranges.push_back({"date", Value::Int(ym.FirstDay()), Value::Int(ym.LastDay())});
  const auto& parts = in.rankings_snapshot.metadata.partition_columns;
  if (std::find(parts.begin(), parts.end(), "year_month") != parts.end()) {
    scan.ranges.push_back({"year_month", Value::Bytes(month), Value::Bytes(month)});
  }
  return in.rankings_table->Scan(in.rankings_snapshot, scan);
}

// The overwrite of one table; the transaction holds its own Table.
struct Writer {
  std::string name;  // lake.Describe(path), for messages
  delta::OverwriteTransaction tx;
};

// The overwrites of one run. Every error path ends with AbandonAll(), every
// success with a Commit() of each, so none is dropped unfinished.
struct Writers {
  std::optional<Writer> rankings, signals, composite;
  // Abandons the overwrites not finished yet (a finished one has nothing to
  // delete); the first failure, naming its table. Every one is attempted.
  Status AbandonAll() {
    Status first;
    for (auto* w : {&rankings, &signals, &composite}) {
      if (!*w) continue;
      Status s = (*w)->tx.Abandon();
      if (first.ok() && !s.ok()) first = s.Annotate("abandon the writes to " + (*w)->name);
    }
    return first;
  }
};

Status BeginWriters(const Lake& lake, const JobRequest& req, const std::vector<std::string>& months,
                    Writers* w) {
  const LakeLayout& layout = lake.layout();
  delta::CommitOptions opts;
  opts.run_id = req.run_id;
  opts.data_files.compression = req.options.output.compression;
  opts.data_files.row_group_bytes = req.options.output.row_group_bytes;
  auto begin = [&](const std::string& path, const Schema& schema,
                   std::optional<Writer>* writer) -> Status {
    std::string where = "write " + lake.Describe(path);
    RS_ASSIGN_OR_RETURN_CTX(auto table, lake.OpenTable(path), where);
    RS_ASSIGN_OR_RETURN_CTX(auto tx, table.BeginOverwrite(schema, {"year_month"}, months, opts),
                            where);
    writer->emplace(Writer{lake.Describe(path), std::move(tx)});
    return Status::OK();
  };
  if (req.rank) RS_RETURN_IF_ERROR(begin(layout.rankings, signals::RankingsSchema(), &w->rankings));
  RS_RETURN_IF_ERROR(begin(layout.signals, signals::RankingSignalsSchema(), &w->signals));
  RS_RETURN_IF_ERROR(begin(layout.composite, signals::CompositeSignalsSchema(), &w->composite));
  return Status::OK();
}

Status ComputeMonth(const Inputs& in, const JobRequest& req,
                    const signals::MaterializeOptions& mopts, const std::string& month,
                    Writers* w, MonthRows* rows) {
  RecordBatch rankings;
  if (req.rank) {
    signals::EngineOptions eopts;
    eopts.threads = req.options.compute.threads;
    RS_ASSIGN_OR_RETURN_CTX(rankings, signals::RankMonth(*in.prepared, month, eopts), "rank");
    RS_RETURN_IF_ERROR_CTX(w->rankings->tx.WritePartition(month, rankings), "write rankings");
  } else {
    RS_ASSIGN_OR_RETURN_CTX(rankings, ReadRankingsMonth(in, month), "read rankings");
  }
  RS_ASSIGN_OR_RETURN_CTX(auto derived, signals::Materialize(rankings, mopts), "materialize");
  RS_RETURN_IF_ERROR_CTX(w->signals->tx.WritePartition(month, derived.ranking_signals),
                         "write ranking_signals");
  RS_RETURN_IF_ERROR_CTX(w->composite->tx.WritePartition(month, derived.composite_signals),
                         "write composite_signals");
  rows->month = month;
  rows->rankings = static_cast<int64_t>(rankings.num_rows);
  rows->signals = static_cast<int64_t>(derived.ranking_signals.num_rows);
  rows->composite = static_cast<int64_t>(derived.composite_signals.num_rows);
  return Status::OK();
}

Result<TableCommit> CommitOne(const std::string& name, delta::OverwriteTransaction& tx, Logger& log) {
  RS_ASSIGN_OR_RETURN_CTX(auto outcome, tx.Commit(), "commit " + name);
  TableCommit c{name, outcome.version, outcome.num_added, outcome.num_removed, outcome.bytes_added};
  log.Info("committed Delta table", {{"table", name}, {"version", outcome.version},
                                     {"files_added", outcome.num_added},
                                     {"files_removed", outcome.num_removed},
                                     {"bytes", outcome.bytes_added}, {"attempts", outcome.attempts}});
  if (!outcome.checkpoint_error.empty()) {
    log.Warn("checkpoint not written (the commit stands)",
             {{"table", name}, {"error", outcome.checkpoint_error}});
  }
  return c;
}

// The months of `shard`: read, compute, commit, replicate.
Status RunShard(const Lake& lake, const JobRequest& req, const signals::MaterializeOptions& mopts,
                const Shard& shard, Logger& log, JobReport* report) {
  auto start = Clock::now();
  Inputs in;
  Status read = req.rank ? ReadRankInputs(lake, req.months_spec, log, &in)
                         : ReadRankingsInputs(lake, log, &in);
  if (!read.ok()) return InputReadError(read);
  report->read_seconds = SecondsSince(start);
  RS_ASSIGN_OR_RETURN(auto months, signals::ResolveMonthSpec(req.months_spec, in.available_months));
  months = ApplyShard(months, shard);
  report->months = months;
  if (months.empty()) {
    log.Info("no target months for this shard; nothing to do",
             {{"shard", fmt::format("{}/{}", shard.index, shard.count)}});
    return Status::OK();
  }
  log.Info("target months", {{"count", months.size()}, {"first", months.front()},
                             {"last", months.back()}});

  Writers w;
  Status s = BeginWriters(lake, req, months, &w);
  start = Clock::now();
  if (s.ok()) {
    Progress progress(log, req.rank ? "ranking" : "materializing",
                      static_cast<int64_t>(months.size()), "months");
    for (const std::string& month : months) {
      MonthRows rows;
      s = ComputeMonth(in, req, mopts, month, &w, &rows);
      if (!s.ok()) {
        s = s.Annotate("month " + month);
        break;
      }
      report->rows.push_back(rows);
      CrashPoint("job.after_month_written");
      log.Info("month written", {{"month", month}, {"rankings_rows", rows.rankings},
                                 {"signals_rows", rows.signals}, {"composite_rows", rows.composite}});
      progress.Advance(1);
    }
  }
  report->compute_seconds = SecondsSince(start);
  if (!s.ok()) return s.WithCleanupError(w.AbandonAll());

  // Commit order: rankings, then the derived tables. Replication starts only
  // after both derived tables are committed, and only for these months.
  start = Clock::now();
  TableVersions versions;
  struct Step {
    Writer* writer;
    int64_t* version;
  };
  std::vector<Step> steps;
  if (req.rank) steps.push_back({&*w.rankings, &versions.rankings});
  steps.push_back({&*w.signals, &versions.signals});
  steps.push_back({&*w.composite, &versions.composite});
  CrashPoint("job.before_commits");
  for (auto& step : steps) {
    CrashPoint("job.before_table_commit");
    // Commit() finishes its transaction, landed or not; the later ones are abandoned.
    auto commit = CommitOne(step.writer->name, step.writer->tx, log);
    if (!commit.ok()) {
      Status failed = commit.status().WithCleanupError(w.AbandonAll());
      if (report->commits.empty()) return failed;
      return failed.Annotate(
          "the tables committed before this one keep the new months; "
          "rerun the same months to complete");
    }
    *step.version = commit->version;
    report->commits.push_back(*commit);
  }
  report->write_seconds = SecondsSince(start);

  if (!req.options.replication.dsn) {
    log.Info("POSTGRES_DSN not set: replication off");
    return Status::OK();
  }
  CrashPoint("job.before_replication");
  start = Clock::now();
  report->replication_ran = true;
  Status r = ReplicateMonths(lake, ReplicateRequest{months, versions, req.run_id, false},
                             req.options.replication, log, &report->replication);
  report->replicate_seconds = SecondsSince(start);
  return r;
}

}  // namespace

Status RunJob(const Lake& lake, const JobRequest& req, Logger& log, JobReport* report) {
  // Configuration errors surface before any data is read or written.
  RS_RETURN_IF_ERROR(lake.CheckTablesDistinct(req.rank));
  signals::MaterializeOptions mopts;
  RS_ASSIGN_OR_RETURN_CTX(mopts.weights, signals::ParseWeights(req.options.compute.weights_json),
                          "RANKING_COMPOSITE_STRATEGY_WEIGHTS");
  mopts.top_n = req.options.compute.top_n;
  mopts.threads = req.options.compute.threads;
  Shard shard = req.shard;
  ShardClaimant claimant{req.shard_group, req.shard_owner, req.run_id};
  RS_RETURN_IF_ERROR(ClaimShard(lake, claimant, log, &shard));
  RS_RETURN_IF_ERROR(RunShard(lake, req, mopts, shard, log, report));
  if (req.shard.auto_claim) FinishShard(lake, claimant, shard, log);
  return Status::OK();
}

void LogJobSummary(const JobReport& report, Logger& log) {
  int64_t rankings = 0, signals = 0, composite = 0;
  for (const auto& r : report.rows) {
    rankings += r.rankings;
    signals += r.signals;
    composite += r.composite;
  }
  nlohmann::json fields = {{"months", report.months.size()},
                           {"rankings_rows", rankings},
                           {"signals_rows", signals},
                           {"composite_rows", composite},
                           {"read_s", std::round(report.read_seconds * 100) / 100},
                           {"compute_write_s", std::round(report.compute_seconds * 100) / 100},
                           {"commit_s", std::round(report.write_seconds * 100) / 100}};
  if (!report.months.empty()) {
    fields["first_month"] = report.months.front();
    fields["last_month"] = report.months.back();
  }
  int64_t bytes = 0;
  for (const auto& c : report.commits) {
    fields["version:" + c.table] = c.version;
    bytes += c.bytes_added;
  }
  fields["bytes_written"] = bytes;
  if (report.replication_ran) {
    int ok = 0, failed = 0, skipped = 0;
    std::vector<std::string> skipped_months, failed_months;
    for (const auto& r : report.replication) {
      if (r.skipped) {
        ++skipped;
        skipped_months.push_back(r.month);
      } else if (r.ok) {
        ++ok;
      } else {
        ++failed;
        failed_months.push_back(r.month);
      }
    }
    // Every month not replicated is named, whatever the reason.
    if (!skipped_months.empty()) fields["replication_skipped"] = skipped_months;
    if (!failed_months.empty()) fields["replication_failed"] = failed_months;
    std::set<std::string> attempted;
    for (const auto& r : report.replication) attempted.insert(r.month);
    std::vector<std::string> not_attempted;
    for (const auto& m : report.months) {
      if (attempted.count(m) == 0) not_attempted.push_back(m);
    }
    if (!not_attempted.empty()) fields["replication_not_attempted"] = not_attempted;
    fields["replicated_months"] = ok;
    fields["replication_failed_months"] = failed;
    fields["replication_skipped_months"] = skipped;
    fields["replicate_s"] = std::round(report.replicate_seconds * 100) / 100;
  }
  log.Info("summary", fields);
}

}  // namespace rs::job
