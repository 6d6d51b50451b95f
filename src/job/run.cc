#include "job/run.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "common/calendar.h"
#include "common/crash_point.h"
#include "common/log.h"
#include "common/parallel.h"
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

// A progress bar over the bytes one input's reads decode. Each read starts
// a bar of its own (a windowed read doubling back reads several times).
class ReadBar {
 public:
  ReadBar(Logger& log, std::string label) : log_(log), label_(std::move(label)) {}

  ReadProgress Callback() {
    return [this](const delta::ScanProgress& p) { Report(p); };
  }

 private:
  void Report(const delta::ScanProgress& p) {
    if (p.files_done == 0) {
      bar_.reset();  // the previous read's bar is cleared first
      bar_ = std::make_unique<Progress>(log_, label_, p.bytes_total, "bytes");
      bytes_shown_ = 0;
      return;
    }
    if (!bar_) return;
    bar_->Advance(p.bytes_done - bytes_shown_);
    bytes_shown_ = p.bytes_done;
    if (p.files_done == p.files_total) bar_.reset();
  }

  Logger& log_;
  std::string label_;
  std::unique_ptr<Progress> bar_;
  int64_t bytes_shown_ = 0;
};

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

// The log fields of an input read: rows and files read, and what was
// skipped. The same keys for every read (null or 0 when not applicable): a
// full read has no window (`from` and `to` null: the whole table).
nlohmann::json ReadFields(const Lake& lake, const std::string& path, const RecordBatch& rows,
                          const InputReadInfo& info) {
  return {{"table", lake.Describe(path)},
          {"rows", rows.num_rows},
          {"rows_total",
           info.rows_total >= 0 ? nlohmann::json(info.rows_total) : nlohmann::json(nullptr)},
          {"files_read", info.files_read},
          {"files_total", info.files_total},
          {"files_skipped", std::max<int64_t>(0, info.files_total - info.files_read)},
          {"files_skipped_by_symbol", info.files_skipped_by_symbol},
          {"windowed", false},
          {"from", nullptr},
          {"to", nullptr},
          {"extensions", 0},
          {"symbols_short_of_history", 0}};
}

// The window's part of a read's log line; `from` null: from the table's start.
void AddWindowFields(const internal::WindowRead& read, int32_t last_day, nlohmann::json* fields) {
  (*fields)["windowed"] = true;
  (*fields)["from"] =
      read.first_day ? nlohmann::json(FormatDate(*read.first_day)) : nlohmann::json(nullptr);
  (*fields)["to"] = FormatDate(last_day);
  (*fields)["extensions"] = read.extensions;
  (*fields)["symbols_short_of_history"] = read.short_symbols;
}

// Takes the market rows: Prepare frees their largest column early.
Status PrepareInputs(const Lake& lake, RecordBatch&& market,
                     const std::optional<RecordBatch>& finance, Logger& log, Inputs* in) {
  const LakeLayout& layout = lake.layout();
  signals::PrepareStats stats;
  std::string where = "validate market_daily " + lake.Describe(layout.market);
  if (finance) where += " and finance_daily " + lake.Describe(layout.finance);
  RS_ASSIGN_OR_RETURN_CTX(
      auto prepared, signals::Prepare(std::move(market), finance ? &*finance : nullptr, &stats),
      where);
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
  ReadBar market_bar(log, "reading market_daily"), finance_bar(log, "reading finance_daily");
  RS_ASSIGN_OR_RETURN(RecordBatch market,
                      lake.ReadInput(layout.market, {"date", "symbol", "close", "volume"},
                                     &market_info, {}, nullptr, market_bar.Callback()));
  LogSkipped(lake.Describe(layout.market), market_info, log);
  log.Info("read market_daily", ReadFields(lake, layout.market, market, market_info));
  auto read = lake.ReadInput(layout.finance, {"date", "symbol", "pe_ratio"}, &finance_info, {},
                             nullptr, finance_bar.Callback());
  LogSkipped(lake.Describe(layout.finance), finance_info, log);
  if (read.ok()) {
    log.Info("read finance_daily", ReadFields(lake, layout.finance, *read, finance_info));
  }
  RS_ASSIGN_OR_RETURN(auto finance, FinanceOrNone(lake, std::move(read), log));
  return PrepareInputs(lake, std::move(market), finance, log, in);
}

// The rows of the window only (input_window_internal.h). False when the
// window cannot decide the target months (the months the statistics promised
// hold no valid row) or rejects the input: the caller then reads everything.
Result<bool> ReadWindowedInputs(const Lake& lake, const internal::InputWindow& window,
                                const std::string& months_spec, Logger& log, Inputs* in) {
  const LakeLayout& layout = lake.layout();
  InputReadInfo market_info, finance_info;
  ReadBar market_bar(log, "reading market_daily"), finance_bar(log, "reading finance_daily");
  auto market_window =
      internal::ReadMarketWindow(lake, window, &market_info, market_bar.Callback());
  // An input the window's row counting rejects (a missing or mistyped
  // column, a damaged date or symbol) is reported by the full read, in the
  // words and with the context it always had.
  if (market_window.status().code() == StatusCode::kInvalidArgument) return false;
  RS_ASSIGN_OR_RETURN(internal::WindowRead market, std::move(market_window));
  LogSkipped(lake.Describe(layout.market), market_info, log);
  nlohmann::json fields = ReadFields(lake, layout.market, market.rows, market_info);
  AddWindowFields(market, window.last_day, &fields);
  log.Info("read market_daily", fields);
  auto finance_window = internal::ReadFinanceWindow(lake, window, market.target_symbols,
                                                    &finance_info, finance_bar.Callback());
  if (finance_window.status().code() == StatusCode::kInvalidArgument) return false;
  LogSkipped(lake.Describe(layout.finance), finance_info, log);
  // The finance rows read, or the read's error for FinanceOrNone to judge (a
  // Result is never made from an OK status).
  auto finance_read = [&]() -> Result<RecordBatch> {
    if (!finance_window.ok()) return finance_window.status();
    fields = ReadFields(lake, layout.finance, finance_window->rows, finance_info);
    AddWindowFields(*finance_window, window.last_day, &fields);
    log.Info("read finance_daily", fields);
    return std::move(finance_window->rows);
  };
  RS_ASSIGN_OR_RETURN(auto finance, FinanceOrNone(lake, finance_read(), log));
  RS_RETURN_IF_ERROR(PrepareInputs(lake, std::move(market.rows), finance, log, in));
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
    const std::string key = delta::PhysicalColumnName(in->rankings_snapshot, "year_month");
    for (const auto& f : in->rankings_snapshot.files) {
      auto it = f.partition_values.find(key);
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

// One month's output, held from its computation until its partitions are
// written: what a worker has in flight.
struct MonthOutput {
  RecordBatch rankings;
  signals::DerivedSignals derived;
};

// Computes `month` with the engine on up to `threads` threads (0 = all cores).
Status ComputeMonth(const Inputs& in, const JobRequest& req, signals::MaterializeOptions mopts,
                    const std::string& month, int threads, MonthOutput* out) {
  if (req.rank) {
    signals::EngineOptions eopts;
    eopts.threads = threads;
    RS_ASSIGN_OR_RETURN_CTX(out->rankings, signals::RankMonth(*in.prepared, month, eopts), "rank");
  } else {
    RS_ASSIGN_OR_RETURN_CTX(out->rankings, ReadRankingsMonth(in, month), "read rankings");
  }
  mopts.threads = threads;
  RS_ASSIGN_OR_RETURN_CTX(out->derived, signals::Materialize(out->rankings, mopts), "materialize");
  return Status::OK();
}

MonthRows RowsOf(const std::string& month, const MonthOutput& out) {
  return MonthRows{month, static_cast<int64_t>(out.rankings.num_rows),
                   static_cast<int64_t>(out.derived.ranking_signals.num_rows),
                   static_cast<int64_t>(out.derived.composite_signals.num_rows)};
}

// Writes the month's partition of each table, one table after the other.
// Writing the three tables in parallel was measured slower for a single
// month (5,000 symbols: compute and write 1.80 s against 1.16 s on 2 cores,
// RSS 376 against 293 MiB): each writer thread fills fresh pages of its own
// malloc arena, where one thread reuses the pages of the previous table.
Status WriteMonth(Writers* w, const std::string& month, const MonthOutput& out) {
  if (w->rankings) {
    RS_RETURN_IF_ERROR_CTX(w->rankings->tx.WritePartition(month, out.rankings), "write rankings");
  }
  RS_RETURN_IF_ERROR_CTX(w->signals->tx.WritePartition(month, out.derived.ranking_signals),
                         "write ranking_signals");
  RS_RETURN_IF_ERROR_CTX(w->composite->tx.WritePartition(month, out.derived.composite_signals),
                         "write composite_signals");
  return Status::OK();
}

// How the months of a run share the threads: `workers` months in flight at
// once, each computed with `engine_threads` engine threads.
struct MonthThreads {
  int workers = 1;
  int engine_threads = 0;  // 0 = all cores, as RANKING_THREADS
};

// Several months: one month per thread, each computed and written on its
// thread (the engine's inner threads would only contend with the other
// months'; the Parquet encoding, single-threaded per file, then runs on
// every thread). One month: the engine uses every thread, as before.
MonthThreads PlanMonthThreads(int requested, size_t months) {
  const int threads = ResolveThreads(requested);
  MonthThreads plan;
  plan.workers = ParallelThreads(months, ParallelOptions{threads});
  plan.engine_threads = plan.workers > 1 ? std::max(1, threads / plan.workers) : requested;
  return plan;
}

// Publishes the months written in month order, whatever order their workers
// finish in: the report's rows, the crash point, the "month written" line and
// the progress bar, once per month. A stop requested by then ends the run
// before the next month, as the serial loop did.
class MonthLedger {
 public:
  MonthLedger(const JobRequest& req, const std::vector<std::string>& months, Logger& log,
              Progress& progress, JobReport* report)
      : req_(req),
        months_(months),
        log_(log),
        progress_(progress),
        report_(report),
        written_(months.size()) {}

  // Records month `i` as written and publishes every month now complete in
  // order; Cancelled when a stop was requested after one of them.
  Status Written(size_t i, const MonthRows& rows) {
    std::lock_guard lock(mu_);
    written_[i] = rows;
    while (!stopped_ && next_ < written_.size() && written_[next_]) {
      Publish(*written_[next_]);
      ++next_;
      if (next_ == months_.size()) break;
      const std::string what = "month " + months_[next_] + " was computed: nothing was committed";
      Status s = CheckStop(req_.stop, what);
      if (!s.ok()) {
        stopped_ = true;
        return s;
      }
    }
    return Status::OK();
  }

 private:
  void Publish(const MonthRows& rows) {
    report_->rows.push_back(rows);
    CrashPoint("job.after_month_written");
    log_.Info("month written", {{"month", rows.month},
                                {"rankings_rows", rows.rankings},
                                {"signals_rows", rows.signals},
                                {"composite_rows", rows.composite}});
    progress_.Advance(1);
  }

  const JobRequest& req_;
  const std::vector<std::string>& months_;
  Logger& log_;
  Progress& progress_;
  JobReport* report_;
  std::mutex mu_;
  std::vector<std::optional<MonthRows>> written_;  // guarded by mu_
  size_t next_ = 0;                                // guarded by mu_: the next to publish
  bool stopped_ = false;                           // guarded by mu_
};

// Computes and writes `months` on plan.workers threads, one month in flight
// per worker (memory: a month's buffers per worker, never the whole run).
// The failure of the lowest month wins, as in a serial loop; no month is
// handed out after a failure or a stop, and the months in flight finish.
Status WriteMonths(const Inputs& in, const JobRequest& req,
                   const signals::MaterializeOptions& mopts, const std::vector<std::string>& months,
                   Logger& log, Writers* w, JobReport* report) {
  const MonthThreads plan = PlanMonthThreads(req.options.compute.threads, months.size());
  Progress progress(log, req.rank ? "ranking and writing" : "materializing and writing",
                    static_cast<int64_t>(months.size()), "months");
  MonthLedger ledger(req, months, log, progress, report);
  ParallelOptions parallel{plan.workers, ErrorPolicy::kStopAtFirstError};
  return ParallelFor(months.size(), parallel, [&](size_t i) -> Status {
    const std::string& month = months[i];
    RS_RETURN_IF_ERROR(
        CheckStop(req.stop, "month " + month + " was computed: nothing was committed"));
    MonthOutput out;
    Status s = ComputeMonth(in, req, mopts, month, plan.engine_threads, &out);
    if (s.ok()) s = WriteMonth(w, month, out);
    if (!s.ok()) return s.Annotate("month " + month);
    return ledger.Written(i, RowsOf(month, out));
  });
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

// Computes `months` and reports what a run would write and replicate,
// writing nothing.
Status DryRun(const Lake& lake, const JobRequest& req, const signals::MaterializeOptions& mopts,
              const Inputs& in, const std::vector<std::string>& months, Logger& log,
              JobReport* report) {
  report->dry_run = true;
  auto start = Clock::now();
  for (const std::string& month : months) {
    RS_RETURN_IF_ERROR(CheckStop(req.stop, "month " + month + " was computed (dry run)"));
    MonthOutput out;
    RS_RETURN_IF_ERROR_CTX(ComputeMonth(in, req, mopts, month, req.options.compute.threads, &out),
                           "month " + month);
    MonthRows rows = RowsOf(month, out);
    report->rows.push_back(rows);
    log.Info("dry run: would write month", {{"month", month},
                                            {"rankings_rows", rows.rankings},
                                            {"signals_rows", rows.signals},
                                            {"composite_rows", rows.composite}});
  }
  report->compute_seconds = SecondsSince(start);
  const LakeLayout& layout = lake.layout();
  std::vector<std::string> tables;
  if (req.rank) tables.push_back(lake.Describe(layout.rankings));
  tables.push_back(lake.Describe(layout.signals));
  tables.push_back(lake.Describe(layout.composite));
  report->would_replicate = req.options.replication.dsn.has_value();
  log.Info("dry run: nothing was written",
           {{"months", months.size()},
            {"tables", tables},
            {"replication", report->would_replicate ? "would replicate these months" : "off"}});
  return Status::OK();
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
  if (req.dry_run) return DryRun(lake, req, mopts, in, months, log, report);

  Writers w;
  Status s = BeginWriters(lake, req, months, &w);
  start = Clock::now();
  if (s.ok()) s = WriteMonths(in, req, mopts, months, log, &w, report);
  report->compute_seconds = SecondsSince(start);
  // The last chance to stop with Delta unchanged: the three commits below
  // then run together, never stopped between tables.
  if (s.ok()) s = CheckStop(req.stop, "the Delta commits: nothing was committed");
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
  Status r = ReplicateMonths(lake, ReplicateRequest{months, versions, req.run_id, false, req.stop},
                             req.options.replication, log, &report->replication);
  report->replicate_seconds = SecondsSince(start);
  if (r.code() == StatusCode::kCancelled) {
    return Status::Cancelled(r.message() +
                             ": the Delta commits stand and the months replicated are whole; "
                             "replicate the others with `ranking-signals sync`");
  }
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
  if (req.dry_run && shard.auto_claim) {
    // A dry run claims nothing: it covers the months of every shard.
    log.Info("dry run: no shard claimed; showing the months of all shards");
    shard = Shard{};
    return RunShard(lake, req, mopts, shard, log, report);
  }
  RS_RETURN_IF_ERROR(ClaimShard(lake, claimant, log, &shard));
  RS_RETURN_IF_ERROR(RunShard(lake, req, mopts, shard, log, report));
  if (req.shard.auto_claim) FinishShard(lake, claimant, shard, log);
  return Status::OK();
}

namespace {

std::string Seconds(double s) { return fmt::format("{:.2f} s", s); }

std::string ListOrDash(const std::vector<std::string>& months) {
  return months.empty() ? "-" : fmt::format("{}", fmt::join(months, ","));
}

// The last path segment of a table location: "ranking_signals", "daily".
std::string TableName(const std::string& location) {
  size_t end = location.find_last_not_of('/');
  if (end == std::string::npos) return location;
  size_t slash = location.rfind('/', end);
  return location.substr(slash == std::string::npos ? 0 : slash + 1,
                         end - (slash == std::string::npos ? 0 : slash + 1) + 1);
}

}  // namespace

void LogJobSummary(const JobReport& report, Logger& log, const Status& outcome) {
  const bool failed = !outcome.ok();
  const char* status = outcome.ok()                               ? "ok"
                       : outcome.code() == StatusCode::kCancelled ? "stopped"
                                                                  : "failed";
  int64_t rankings = 0, signals = 0, composite = 0;
  for (const auto& r : report.rows) {
    rankings += r.rankings;
    signals += r.signals;
    composite += r.composite;
  }
  int64_t bytes = 0;
  nlohmann::json tables = nlohmann::json::array();
  std::vector<std::string> versions;
  for (const auto& c : report.commits) {
    bytes += c.bytes_added;
    tables.push_back({{"table", c.table},
                      {"version", c.version},
                      {"files_added", c.files_added},
                      {"bytes_added", c.bytes_added}});
    versions.push_back(fmt::format("{} v{}", TableName(c.table), c.version));
  }
  std::vector<std::string> skipped, failed_months, not_attempted;
  int replicated = 0;
  std::set<std::string> attempted;
  for (const auto& r : report.replication) {
    attempted.insert(r.month);
    if (r.skipped) {
      skipped.push_back(r.month);
    } else if (r.ok) {
      ++replicated;
    } else {
      failed_months.push_back(r.month);
    }
  }
  if (report.replication_ran) {
    for (const auto& m : report.months) {
      if (attempted.count(m) == 0) not_attempted.push_back(m);
    }
  }
  auto round2 = [](double v) { return std::round(v * 100) / 100; };
  std::string first = report.months.empty() ? "" : report.months.front();
  std::string last = report.months.empty() ? "" : report.months.back();
  LogLevel level = failed ? LogLevel::kError : LogLevel::kInfo;
  if (log.format() == LogFormat::kJson) {
    // One line, the same keys on every run (no key built from a path).
    log.Log(level, "summary",
            {{"status", status},
             {"dry_run", report.dry_run},
             {"months", report.months.size()},
             {"first_month", first.empty() ? nlohmann::json(nullptr) : nlohmann::json(first)},
             {"last_month", last.empty() ? nlohmann::json(nullptr) : nlohmann::json(last)},
             {"rankings_rows", rankings},
             {"signals_rows", signals},
             {"composite_rows", composite},
             {"tables", tables},
             {"bytes_written", bytes},
             {"read_s", round2(report.read_seconds)},
             {"compute_write_s", round2(report.compute_seconds)},
             {"commit_s", round2(report.write_seconds)},
             {"replicate_s", round2(report.replicate_seconds)},
             {"replication", report.replication_ran ? "ran" : "off"},
             {"replicated_months", replicated},
             {"replication_skipped", skipped},
             {"replication_failed", failed_months},
             {"replication_not_attempted", not_attempted}});
    return;
  }
  // For people: a few short lines.
  std::string span = first.empty()   ? ""
                     : first == last ? " (" + first + ")"
                                     : " (" + first + ".." + last + ")";
  log.Log(level, fmt::format("summary: {}{}, {} month{}{}", status,
                             report.dry_run ? " (dry run: nothing was written)" : "",
                             report.months.size(), report.months.size() == 1 ? "" : "s", span));
  log.Log(level, fmt::format("  rows: rankings {}, ranking_signals {}, composite {}", rankings,
                             signals, composite));
  log.Log(level, fmt::format("  delta: {}; {:.1f} MiB written",
                             versions.empty() ? "nothing committed"
                                              : fmt::format("{}", fmt::join(versions, ", ")),
                             static_cast<double>(bytes) / (1 << 20)));
  log.Log(level, fmt::format("  time: read {}, compute and write {}, commit {}, replicate {}",
                             Seconds(report.read_seconds), Seconds(report.compute_seconds),
                             Seconds(report.write_seconds), Seconds(report.replicate_seconds)));
  if (!report.replication_ran) {
    log.Log(level, "  replication: off");
  } else {
    log.Log(level, fmt::format("  replication: {} month{} replicated; skipped: {}; failed: {}; "
                               "not attempted: {}",
                               replicated, replicated == 1 ? "" : "s", ListOrDash(skipped),
                               ListOrDash(failed_months), ListOrDash(not_attempted)));
  }
}

}  // namespace rs::job
