#include "postgres/migrations.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "postgres/connection_internal.h"
#include "postgres/schema_internal.h"

namespace rs::postgres {

using internal::Connection;
using internal::PgResultPtr;

namespace {

// Every migrator of this project takes this session lock first.
constexpr char kLockKey[] = "ranking-signals:migrate";

struct MigrationFile {
  int number = 0;
  std::string version;  // the 4 digits
  std::string name;     // file name
  std::string sql;
  std::string sha256;
};

struct LedgerEntry {
  std::string version;
  std::optional<std::string> checksum;
};

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

// Leading digits of a ledger version or file name ("0003_x.sql" -> 3), or -1.
int VersionNumber(const std::string& s) {
  size_t n = 0;
  while (n < s.size() && n < 9 && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  return n == 0 ? -1 : std::stoi(s.substr(0, n));
}

bool IsMigrationName(const std::string& name) {
  return name.size() > 9 && std::all_of(name.begin(), name.begin() + 4, ::isdigit) &&
         name[4] == '_' && name.ends_with(".sql");
}

Result<std::vector<MigrationFile>> ReadMigrationFiles(const std::string& dir) {
  std::error_code ec;
  std::vector<MigrationFile> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !IsMigrationName(name)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream sql;
    sql << in.rdbuf();
    if (!in) return Status::IOError("read migration " + entry.path().string());
    files.push_back({VersionNumber(name), name.substr(0, 4), name, sql.str(), Sha256Hex(sql.str())});
  }
  if (ec) return Status::InvalidArgument("list migrations directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.number < b.number; });
  for (size_t i = 1; i < files.size(); ++i) {
    if (files[i].number == files[i - 1].number) {
      return Status::InvalidArgument("migrations " + files[i - 1].name + " and " + files[i].name +
                                     " share version " + files[i].version);
    }
  }
  if (files.empty()) return Status::InvalidArgument("no NNNN_*.sql migrations in " + dir);
  return files;
}

// The predecessor's ledger plus our checksum column; idempotent, run under the lock.
Status EnsureLedger(Connection* c) {
  return c->Exec(
      "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
      " version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ);"
      "ALTER TABLE public.schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT");
}

Result<std::map<int, LedgerEntry>> ReadLedger(Connection* c) {
  RS_ASSIGN_OR_RETURN(PgResultPtr r,
                      c->Query("SELECT version, checksum FROM public.schema_migrations"));
  std::map<int, LedgerEntry> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    LedgerEntry e{PQgetvalue(r.get(), i, 0), std::nullopt};
    if (!PQgetisnull(r.get(), i, 1)) e.checksum = PQgetvalue(r.get(), i, 1);
    out[VersionNumber(e.version)] = e;
  }
  return out;
}

Status ChecksumMismatch(const MigrationFile& f, const std::string& recorded) {
  return Status::FailedPrecondition(
      "migration " + f.name + " was changed after it was applied (ledger sha256 " + recorded +
      ", file sha256 " + f.sha256 + "): restore the file as applied and put the change in a new "
      "migration file");
}

// Runs `f` in a transaction, recording it in the ledger unless `reapply`.
Status ApplyOne(Connection* c, const MigrationFile& f, bool reapply = false) {
  RS_RETURN_IF_ERROR(c->Exec("BEGIN"));
  Status st = c->Exec(f.sql);
  if (st.ok() && !reapply) {
    st = c->Query("INSERT INTO public.schema_migrations (version, applied_at, checksum)"
                  " VALUES ($1, now(), $2)",
                  {f.version, f.sha256})
             .status();
  }
  if (st.ok()) st = c->Exec("COMMIT");
  if (!st.ok() && !c->IsBroken()) (void)c->Exec("ROLLBACK");
  return st;
}

// Objects of the migrations in `files` that are missing or changed.
Result<std::vector<internal::SchemaProblem>> ProblemsOf(Connection* c,
                                                        const std::vector<MigrationFile>& files) {
  RS_ASSIGN_OR_RETURN_CTX(auto problems, internal::FindSchemaProblems(c),
                          "check what the applied migrations created");
  // An older release's directory: what later migrations create is not its business.
  std::erase_if(problems, [&](const auto& p) { return p.version > files.back().number; });
  return problems;
}

// A migration recorded as applied whose objects were dropped by hand is run
// again, with every later one, when that restores them; what cannot be
// restored that way is an error saying what to do.
Status RestoreMissingObjects(Connection* c, const std::vector<MigrationFile>& files,
                             MigrationReport* report) {
  RS_ASSIGN_OR_RETURN(auto problems, ProblemsOf(c, files));
  // Applying a file again over a hand-made change it does not expect could
  // fail halfway (0006 reads the status column): only when all is restorable.
  bool all_restorable =
      std::all_of(problems.begin(), problems.end(), [](const auto& p) { return p.restorable; });
  int from = 0;
  for (const auto& p : problems) {
    if (p.restorable && (from == 0 || p.version < from)) from = p.version;
  }
  if (from != 0 && all_restorable) {
    for (MigrationStep& step : report->steps) {
      const MigrationFile& f = *std::find_if(files.begin(), files.end(),
                                             [&](const auto& m) { return m.name == step.file; });
      if (f.number < from || step.action == MigrationStep::Action::kApplied) continue;
      auto start = std::chrono::steady_clock::now();
      RS_RETURN_IF_ERROR_CTX(ApplyOne(c, f, /*reapply=*/true), "re-apply migration " + f.name);
      step.action = MigrationStep::Action::kReapplied;
      step.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    for (const auto& p : problems) {
      if (p.restorable) report->restored.push_back(internal::DescribeSchemaProblems({p}, ""));
    }
    RS_ASSIGN_OR_RETURN(problems, ProblemsOf(c, files));
  }
  if (problems.empty()) return Status::OK();
  return Status::FailedPrecondition(
      "what applied migrations created is missing or changed: " +
      internal::DescribeSchemaProblems(problems, "Then run `ranking-signals migrate` again"));
}

Result<MigrationReport> MigrateLocked(Connection* c, const std::vector<MigrationFile>& files) {
  RS_RETURN_IF_ERROR_CTX(EnsureLedger(c), "create public.schema_migrations");
  RS_ASSIGN_OR_RETURN_CTX(auto ledger, ReadLedger(c), "read public.schema_migrations");
  MigrationReport report;
  report.target = c->target();
  for (const MigrationFile& f : files) {
    auto it = ledger.find(f.number);
    if (it == ledger.end()) continue;
    if (it->second.checksum && *it->second.checksum != f.sha256) {
      return ChecksumMismatch(f, *it->second.checksum);
    }
  }
  for (const MigrationFile& f : files) {
    MigrationStep step{f.version, f.name, MigrationStep::Action::kApplied, 0};
    auto it = ledger.find(f.number);
    if (it != ledger.end()) {
      step.action = it->second.checksum ? MigrationStep::Action::kAlreadyApplied
                                        : MigrationStep::Action::kAdopted;
      ledger.erase(it);
    } else {
      auto start = std::chrono::steady_clock::now();
      RS_RETURN_IF_ERROR_CTX(ApplyOne(c, f), "apply migration " + f.name);
      step.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    report.steps.push_back(step);
  }
  for (const auto& [number, entry] : ledger) report.unknown_versions.push_back(entry.version);
  RS_RETURN_IF_ERROR(RestoreMissingObjects(c, files, &report));
  return report;
}

// The ledger as it is, without creating it or its checksum column.
Result<std::map<int, LedgerEntry>> ReadLedgerIfAny(Connection* c) {
  RS_ASSIGN_OR_RETURN(
      PgResultPtr exists,
      c->Query("SELECT to_regclass('public.schema_migrations') IS NOT NULL, EXISTS (SELECT 1 FROM "
               "information_schema.columns WHERE table_schema = 'public' AND table_name = "
               "'schema_migrations' AND column_name = 'checksum')"));
  if (std::string(PQgetvalue(exists.get(), 0, 0)) != "t") return std::map<int, LedgerEntry>{};
  if (std::string(PQgetvalue(exists.get(), 0, 1)) == "t") return ReadLedger(c);
  RS_ASSIGN_OR_RETURN(PgResultPtr r, c->Query("SELECT version FROM public.schema_migrations"));
  std::map<int, LedgerEntry> out;  // the predecessor's ledger: no checksums yet
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    LedgerEntry e{PQgetvalue(r.get(), i, 0), std::nullopt};
    out[VersionNumber(e.version)] = e;
  }
  return out;
}

}  // namespace

const char* MigrationStateName(MigrationState::State state) {
  switch (state) {
    case MigrationState::State::kApplied:
      return "applied";
    case MigrationState::State::kPending:
      return "pending";
    case MigrationState::State::kAdopted:
      return "adopted";
    case MigrationState::State::kChanged:
      return "changed";
    case MigrationState::State::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Result<MigrationStatusReport> MigrationStatus(const ConnectionOptions& options,
                                              const std::string& migrations_dir) {
  RS_ASSIGN_OR_RETURN_CTX(auto files, ReadMigrationFiles(migrations_dir), "migrate --status");
  RS_ASSIGN_OR_RETURN_CTX(auto conn, Connection::Open(options), "migrate --status");
  MigrationStatusReport report;
  report.target = conn->target();
  RS_ASSIGN_OR_RETURN_CTX(auto ledger, ReadLedgerIfAny(conn.get()),
                          "migrate --status " + report.target + ": read public.schema_migrations");
  using State = MigrationState::State;
  for (const MigrationFile& f : files) {
    MigrationState e{f.version, f.name, State::kPending};
    if (auto it = ledger.find(f.number); it != ledger.end()) {
      e.state = !it->second.checksum               ? State::kAdopted
                : *it->second.checksum == f.sha256 ? State::kApplied
                                                   : State::kChanged;
      ledger.erase(it);
    }
    report.entries.push_back(e);
  }
  for (const auto& [number, entry] : ledger) {
    report.entries.push_back({entry.version, "", State::kUnknown});
  }
  return report;
}

int MigrationReport::applied_count() const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const MigrationStep& s) {
    return s.action == MigrationStep::Action::kApplied;
  }));
}

Result<MigrationReport> Migrate(const ConnectionOptions& options,
                                const std::string& migrations_dir) {
  RS_ASSIGN_OR_RETURN_CTX(auto files, ReadMigrationFiles(migrations_dir), "migrate");
  RS_ASSIGN_OR_RETURN_CTX(auto conn, Connection::Open(options), "migrate");
  const std::string ctx = "migrate " + conn->target();
  // Session lock: a second migrator waits here, then finds everything applied.
  auto lock = conn->Query("SELECT pg_advisory_lock(hashtextextended($1, 0))", {kLockKey});
  RS_RETURN_IF_ERROR_CTX(lock.status(), ctx + ": take migration lock");
  auto report = MigrateLocked(conn.get(), files);
  if (!conn->IsBroken()) {
    (void)conn->Query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", {kLockKey});
  }
  if (!report.ok()) return report.status().Annotate(ctx);
  return report;
}

}  // namespace rs::postgres
