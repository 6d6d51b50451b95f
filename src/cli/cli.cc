#include <fmt/format.h>

#include <ostream>
#include <sstream>
#include <string_view>

#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/subcommands.h"
#include "common/redact.h"

namespace rs::cli {
namespace {

// The value of every --dsn and the words after it up to the next option: a
// DSN with spaces passed unquoted spills into words CLI11 then quotes ("The
// following argument was not expected: password=...").
std::vector<std::string> DsnWords(int argc, char** argv) {
  std::vector<std::string> words;
  bool in_dsn = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--dsn" || arg.starts_with("--dsn=")) {
      in_dsn = true;
      if (arg != "--dsn") words.emplace_back(arg.substr(6));
      continue;
    }
    in_dsn = in_dsn && !arg.starts_with("-");
    if (in_dsn) words.emplace_back(arg);
  }
  return words;
}

// --log-format json (or =json) among the words, else RANKING_LOG_FORMAT=json:
// how a command line CLI11 refused asked its errors to be written.
bool WantsJsonLogs(int argc, char** argv, const CliContext& ctx) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--log-format=json") return true;
    if (arg == "--log-format" && i + 1 < argc) return std::string_view(argv[i + 1]) == "json";
  }
  auto it = ctx.env.find("RANKING_LOG_FORMAT");
  return it != ctx.env.end() && (it->second == "json" || it->second == "JSON");
}

}  // namespace

int RunCli(int argc, char** argv, CliContext& ctx) {
  CLI::App app{
      "ranking-signals: ranking strategies over gold market data, written to Delta Lake and "
      "replicated to PostgreSQL.\nExit codes: 0 success, 1 failure, 2 usage error, 3 drift found "
      "by verify."};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n  ranking-signals sample-data --lake /tmp/lake\n"
      "  ranking-signals run --lake /tmp/lake --months all\n"
      "  POSTGRES_DSN=... ranking-signals verify --lake /tmp/lake\n"
      "Each command's --help has its own examples; every setting, with its flag, environment "
      "variable and config key: docs/operations.md, Settings.");
  const BuildInfoData& build = BuildInfo();
  app.set_version_flag("--version", fmt::format("ranking-signals {}\ncommit {}\nbuild {}",
                                                build.version, build.git_commit, build.build_type));
  RegisterSubcommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream err;
    int code = app.exit(e, *ctx.out, err);
    std::string text = RedactSecrets(RedactDsn(err.str()), DsnWords(argc, argv));
    if (code != 0 && WantsJsonLogs(argc, argv, ctx)) {
      // Under --log-format json a usage error is a JSON line like every other.
      while (!text.empty() && text.back() == '\n') text.pop_back();
      *ctx.err << FormatLogLine(
                      LogFormat::kJson, LogLevel::kError, "", "usage error",
                      {{"error", text}, {"code", "InvalidArgument"}, {"exit_code", kExitUsage}})
               << '\n';
    } else {
      *ctx.err << text;
    }
    return code == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}

}  // namespace rs::cli
