// The machine-readable result of `run`, `materialize`, `verify` and `sync`:
// one JSON object per command, on stdout with --format json and/or in the
// file of --output FILE. docs/operations.md ("Results") documents its keys.
#ifndef RS_CLI_RESULT_OUTPUT_H_
#define RS_CLI_RESULT_OUTPUT_H_

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/cli_context.h"
#include "job/run.h"
#include "job/sync.h"
#include "job/verify.h"

namespace rs::cli {

// Keys stay in the order written: "command", "status", "exit_code" first.
using ResultJson = nlohmann::ordered_json;

struct ResultOptions {
  std::string format = "text";  // --format: text or json
  std::string output_path;      // --output FILE: the JSON result, whatever --format says
};

void AddResultOptions(CLI::App* cmd, ResultOptions* options);

// The result's per-month entries and sections.
ResultJson MonthCheckJson(const job::MonthCheck& check);
ResultJson JobReportJson(const job::JobReport& report);
ResultJson SyncReportJson(const job::SyncReport& report);

// Collects a command's result and writes it when the command ends (the
// destructor), on every path, failures and usage errors included:
//   {"command", "status" (ok | drift | failed | usage_error | temporary_failure),
//    "exit_code", "run_id", "error" {"message", "code"} when failed, ...body}
// exit_code is ctx.exit_code at that moment, so it is the process's.
// Does nothing unless --format json or --output was given.
class ResultScope {
 public:
  ResultScope(CliContext& ctx, const ResultOptions& options, std::string command);
  ~ResultScope();
  ResultScope(const ResultScope&) = delete;
  ResultScope& operator=(const ResultScope&) = delete;

  bool json_on_stdout() const { return options_.format == "json"; }
  void SetRunId(std::string run_id) { run_id_ = std::move(run_id); }
  // Merges `body`'s keys into the result.
  void Set(const ResultJson& body) { body_.update(body); }

 private:
  CliContext& ctx_;
  ResultOptions options_;
  std::string command_;
  std::string run_id_;
  ResultJson body_ = ResultJson::object();
};

}  // namespace rs::cli

#endif  // RS_CLI_RESULT_OUTPUT_H_
