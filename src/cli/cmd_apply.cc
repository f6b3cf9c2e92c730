// tcptune apply --profile NAME and tcptune rollback: change kernel settings transactionally
// (lock, fsynced journal, read-back, restore on failure; platform/apply.h) after showing the
// plan and asking on a terminal.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/plan_render.h"
#include "cli/profile_context.h"
#include "platform/apply.h"
#include "platform/journal.h"
#include "platform/lock.h"
#include "platform/sysctl_store.h"

namespace tcptune::cli {
namespace {

struct ApplyCliOptions {
  std::string profile;
  bool dry_run = false;
  bool yes = false;
  std::string persist_file;
  bool persist = false;
  std::string state_dir = platform::kDefaultStateDir;
  std::vector<std::string> dirs;
};

platform::ApplyOptions exec_options(const Globals& g, const ApplyCliOptions& o, bool dry_run) {
  platform::ApplyOptions a;
  a.state_dir = o.state_dir;
  a.root = g.root;
  a.tool_version = TCPTUNE_VERSION;
  a.dry_run = dry_run;
  return a;
}

void print_changes(const char* title, const std::vector<core::Change>& changes,
                   const std::vector<std::string>& notes) {
  std::string out = fmt::format("{}\n", title);
  for (const auto& c : changes) out += fmt::format("  {}: {} -> {}\n", c.key, c.before, c.after);
  for (const auto& n : notes) out += fmt::format("  note: {}\n", n);
  std::fputs(out.c_str(), stdout);
}

std::vector<std::string> keys_of(const std::vector<core::Change>& changes) {
  std::vector<std::string> keys;
  for (const auto& c : changes) keys.push_back(c.key);
  return keys;
}

CommandResult run_rollback(const Globals& g, const ApplyCliOptions& o) {
  platform::ProcSysctl store(g.root);
  auto journal = platform::read_journal(o.state_dir);
  if (!journal) return journal.error();
  auto preview = platform::rollback_last(store, exec_options(g, o, true));
  if (!preview) return preview.error();
  const platform::Journal& j = **journal;
  print_changes(fmt::format("Rollback of the apply of profile '{}' ({}, journal state {}):", j.profile,
                            j.started, platform::to_string(j.state)).c_str(),
                preview->changes, preview->notes);
  if (o.dry_run) {
    std::puts("Dry run: nothing was changed.");
    return Outcome::kOk;
  }
  if (auto st = platform::check_writable(g.root, keys_of(preview->changes)); !st) {
    return st.error();
  }
  if (auto st = confirm(fmt::format("Restore {} settings?", preview->changes.size()), o.yes, "rollback"); !st) {
    return st.error();
  }
  auto done = platform::rollback_last(store, exec_options(g, o, false));
  if (!done) return done.error();
  std::printf("Restored %zu settings: %s\n", done->exec.written.size(),
              fmt::format("{}", fmt::join(done->exec.written, ", ")).c_str());
  return Outcome::kOk;
}

// A journal left by an interrupted apply or rollback is offered for rollback on a terminal;
// otherwise apply_plan refuses with a hint. Returns what the run ends with when it should stop.
std::optional<CommandResult> offer_interrupted(const Globals& g, const ApplyCliOptions& o) {
  auto journal = platform::read_journal(o.state_dir);
  if (!journal || !*journal || !(*journal)->interrupted()) return std::nullopt;
  const platform::Journal& j = **journal;
  std::fprintf(stderr, "tcptune: warning: %s: an interrupted %s of profile '%s' (pid %lld, %s) left this journal\n",
               platform::journal_path(o.state_dir).c_str(), j.state == platform::JournalState::kPending ? "apply" : "rollback",
               j.profile.c_str(), static_cast<long long>(j.pid), j.started.c_str());
  if (o.yes || ::isatty(STDIN_FILENO) != 1) return std::nullopt;
  if (!confirm("Roll back to the values it recorded now?", false, "apply")) return std::nullopt;
  ApplyCliOptions ro = o;
  ro.yes = true;
  return run_rollback(g, ro);
}

// `apply --persist` is all or nothing: when the sysctl.d file cannot be written after the values
// were applied, the journal puts them back, so a reboot and the running kernel never disagree.
core::Error undo_unpersisted(const Globals& g, const ApplyCliOptions& o, core::Error e, size_t applied) {
  platform::ProcSysctl store(g.root);
  auto undone = platform::rollback_last(store, exec_options(g, o, false));
  const std::string cause = e.hint.empty() ? "" : e.hint + "; ";
  if (undone && undone->exec.ok()) {
    e.hint = cause + fmt::format("the {} values applied before it were restored (rollback); nothing was changed", applied);
  } else {
    e.hint = cause + fmt::format("the {} values stay applied and the restore failed ({}); run 'tcptune rollback'", applied,
                         undone ? undone->exec.failure->summary() : undone.error().summary());
  }
  return e;
}

CommandResult run_apply(const Globals& g, const ApplyCliOptions& o) {
  auto ctx = load_profile_context(o.dirs);
  if (!ctx) return ctx.error();
  auto planned = plan_profile(g, *ctx, o.profile, "");
  if (!planned) return planned.error();
  std::fputs(render_plan_text(planned->plan, source_text(g, "")).c_str(), stdout);
  if (!o.dry_run) {
    if (auto rc = offer_interrupted(g, o)) return *rc;
  }
  platform::ProcSysctl store(g.root);
  auto preview = platform::apply_plan(planned->plan, store, exec_options(g, o, true));
  if (!preview) return preview.error();
  if (o.dry_run || preview->changes.empty()) {
    if (o.persist) {
      auto path = persist_plan(g, *planned, o.persist_file, !o.dry_run);
      if (!path) return path.error();
      std::printf("%s %s\n", o.dry_run ? "Would write" : "Wrote", path->c_str());
    }
    std::puts(o.dry_run ? "Dry run: nothing was changed." : "Nothing to change.");
    return Outcome::kOk;
  }
  if (auto st = platform::check_writable(g.root, keys_of(preview->changes)); !st) {
    return st.error();
  }
  if (auto st = confirm(fmt::format("Apply {} changes?", preview->changes.size()), o.yes, "apply"); !st) {
    return st.error();
  }
  auto done = platform::apply_plan(planned->plan, store, exec_options(g, o, false));
  if (!done) return done.error();
  print_changes(fmt::format("Applied {} changes:", done->changes.size()).c_str(), done->changes, done->notes);
  std::printf("Journal: %s (undo with 'tcptune rollback')\n", platform::journal_path(o.state_dir).c_str());
  if (o.persist) {
    auto path = persist_plan(g, *planned, o.persist_file, true);
    if (!path) return undo_unpersisted(g, o, path.error(), done->changes.size());
    std::printf("Wrote %s\n", path->c_str());
  }
  return Outcome::kOk;
}

}  // namespace

void register_apply(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ApplyCliOptions>();
  auto* cmd = app.add_subcommand("apply", "Apply a profile to the running kernel, with a rollback journal");
  cmd->add_option("--profile", o->profile, "Profile name (see 'tcptune profiles')")->required();
  cmd->add_flag("--dry-run", o->dry_run, "Show what would change; write nothing");
  cmd->add_flag("-y,--yes", o->yes, "Do not ask for confirmation (required when stdin is not a terminal)");
  auto* persist = cmd->add_option("--persist", o->persist_file,
                                  "Also write the sysctl.d file (default: a name in /etc/sysctl.d that wins at boot)")
                      ->expected(0, 1);
  cmd->add_option("--state-dir", o->state_dir, "Where the journal and lock live")->capture_default_str();
  cmd->add_option("--profiles", o->dirs, "Also load profiles from DIR (repeatable)");
  cmd->footer("Examples:\n  tcptune apply --profile chat-long --dry-run\n  tcptune apply --profile chat-long --yes --persist");
  cmd->callback([&g, o, persist] {
    o->persist = persist->count() > 0;
    g.result = run_apply(g, *o);
  });

  auto r = std::make_shared<ApplyCliOptions>();
  auto* rb = app.add_subcommand("rollback", "Restore the values recorded by the last apply");
  rb->add_flag("--dry-run", r->dry_run, "Show what would be restored; write nothing");
  rb->add_flag("-y,--yes", r->yes, "Do not ask for confirmation (required when stdin is not a terminal)");
  rb->add_option("--state-dir", r->state_dir, "Where the journal and lock live")->capture_default_str();
  rb->footer("Example: tcptune rollback --dry-run");
  rb->callback([&g, r] { g.result = run_rollback(g, *r); });
}
}  // namespace tcptune::cli
