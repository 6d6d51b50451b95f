#include "cli/result_output.h"

#include <fstream>
#include <map>
#include <ostream>

namespace rs::cli {
namespace {

ResultJson OrNull(const std::optional<int64_t>& v) { return v ? ResultJson(*v) : ResultJson(nullptr); }

std::string StatusName(int exit_code) {
  switch (exit_code) {
    case kExitOk: return "ok";
    case kExitDrift: return "drift";
    case kExitUsage: return "usage_error";
    case kExitTemporary: return "temporary_failure";
    case kExitStoppedBySigterm:
    case kExitStoppedBySigint:
      return "stopped";
    default: return "failed";
  }
}

// What replication did with one month, as the month's state: in_sync when
// replicated, else skipped or failed.
ResultJson ReplicationJson(const job::MonthReplication& r) {
  ResultJson j = {{"state", r.ok ? "in_sync" : r.skipped ? "skipped" : "failed"},
            {"signals_rows", r.signals_rows},
            {"composite_rows", r.composite_rows},
            {"seconds", r.seconds}};
  if (r.skipped) j["skip_reason"] = r.skip_reason;
  if (r.source_changed) j["source_change"] = r.source_change_reason;
  if (!r.ok && !r.skipped) j["error"] = r.error;
  return j;
}

}  // namespace

void AddResultOptions(CLI::App* cmd, ResultOptions* options) {
  cmd->add_option("--format", options->format,
                  "Result on stdout: text (default) or ResultJson (one result object: status, exit "
                  "code, run id, per month its state, row counts, versions, checksums)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--output", options->output_path,
                  "Also write the JSON result object to FILE (whatever --format says)");
}

ResultJson MonthCheckJson(const job::MonthCheck& m) {
  return {{"month", m.month},
          {"state", job::MonthStateName(m.state)},
          {"detail", m.detail},
          {"delta",
           {{"signals_rows", m.delta_signals_rows},
            {"composite_rows", m.delta_composite_rows},
            {"version", m.delta_version},
            {"signals_checksum", m.delta_signals_checksum},
            {"composite_checksum", m.delta_composite_checksum}}},
          {"postgres",
           {{"signals_rows", m.pg_signals_rows},
            {"composite_rows", m.pg_composite_rows},
            {"signals_checksum", m.pg_signals_checksum},
            {"composite_checksum", m.pg_composite_checksum}}},
          {"ledger",
           {{"signals_version", OrNull(m.ledger_version)},
            {"status", m.ledger_status.empty() ? ResultJson(nullptr) : ResultJson(m.ledger_status)}}}};
}

ResultJson JobReportJson(const job::JobReport& report) {
  std::map<std::string, const job::MonthReplication*> replicated;
  for (const auto& r : report.replication) replicated[r.month] = &r;
  ResultJson months = ResultJson::array();
  for (const job::MonthRows& rows : report.rows) {
    ResultJson m = {{"month", rows.month},
                    {"state", report.dry_run ? "would_write" : "written"},
                    {"delta",
                     {{"rankings_rows", rows.rankings},
                      {"signals_rows", rows.signals},
                      {"composite_rows", rows.composite}}}};
    if (auto it = replicated.find(rows.month); it != replicated.end()) {
      ResultJson pg = ReplicationJson(*it->second);
      m["state"] = pg["state"];
      m["postgres"] = std::move(pg);
    }
    months.push_back(std::move(m));
  }
  ResultJson tables = ResultJson::array();
  for (const job::TableCommit& c : report.commits) {
    tables.push_back({{"table", c.table},
                      {"version", c.version},
                      {"files_added", c.files_added},
                      {"files_removed", c.files_removed},
                      {"bytes_added", c.bytes_added}});
  }
  return {{"dry_run", report.dry_run},
          {"months", std::move(months)},
          {"tables", std::move(tables)},
          {"replication", report.replication_ran   ? "ran"
                          : report.would_replicate ? "would_run"
                                                   : "off"},
          {"seconds",
           {{"read", report.read_seconds},
            {"compute", report.compute_seconds},
            {"write", report.write_seconds},
            {"replicate", report.replicate_seconds}}}};
}

ResultJson SyncReportJson(const job::SyncReport& report) {
  std::map<std::string, const job::MonthReplication*> replicated;
  for (const auto& r : report.replication) replicated[r.month] = &r;
  ResultJson months = ResultJson::array();
  for (const job::MonthCheck& check : report.checks) {
    ResultJson m = MonthCheckJson(check);
    m["state_before"] = m["state"];
    if (auto it = replicated.find(check.month); it != replicated.end()) {
      ResultJson pg = ReplicationJson(*it->second);
      m["state"] = pg["state"];
      m["replication"] = std::move(pg);
    }
    months.push_back(std::move(m));
  }
  return {{"months", std::move(months)}, {"still_out_of_sync", report.still_out_of_sync}};
}

ResultScope::ResultScope(CliContext& ctx, const ResultOptions& options, std::string command)
    : ctx_(ctx), options_(options), command_(std::move(command)) {}

ResultScope::~ResultScope() {
  if (options_.format != "json" && options_.output_path.empty()) return;
  ResultJson result = {{"command", command_},
                 {"status", StatusName(ctx_.exit_code)},
                 {"exit_code", ctx_.exit_code},
                 {"run_id", run_id_.empty() ? ResultJson(nullptr) : ResultJson(run_id_)}};
  if (ctx_.exit_code != kExitOk && !ctx_.error_message.empty()) {
    result["error"] = {{"message", ctx_.error_message}, {"code", ctx_.error_code}};
  }
  for (auto& [key, value] : body_.items()) result[key] = value;
  std::string text = result.dump(-1, ' ', false, ResultJson::error_handler_t::replace);
  if (options_.format == "json" && ctx_.out != nullptr) *ctx_.out << text << '\n';
  if (!options_.output_path.empty()) {
    std::ofstream file(options_.output_path, std::ios::trunc);
    file << text << '\n';
    file.close();
    if (!file) {
      // A pipeline reads the file: a success without it is a failure.
      if (ctx_.err != nullptr) {
        *ctx_.err << "error: --output " << options_.output_path
                  << ": cannot write the result file (check the directory exists and is "
                     "writable)\n";
      }
      if (ctx_.exit_code == kExitOk) ctx_.exit_code = kExitFailure;
    }
  }
}

}  // namespace rs::cli
