#include "platform/apply.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/sysctl_key.h"
#include "platform/fs_util.h"

namespace tcptune::platform {
namespace {

// One write followed by a read-back; the kernel may accept a write and store something else
// (clamping, or another process racing us), which only the read-back shows.
core::Status write_verified(SysctlStore& store, const std::string& key, const std::string& value) {
  if (auto st = store.write(key, value); !st) return st;
  const core::SysctlReading r = store.read(key);
  if (core::reading_holds(r, value)) return core::ok_status();
  const std::string got = r.has_value() ? fmt::format("'{}'", r.value.text)
                                        : std::string(core::state_name(r.state));
  return core::make_error(key, fmt::format("read back {} after writing '{}'", got, value), r.err);
}

std::string list_or_none(const std::vector<std::string>& keys) {
  return keys.empty() ? "none" : fmt::format("{}", fmt::join(keys, ", "));
}

// The error returned when execution failed: what failed, then what was done about it.
// The journal could not be updated after the writes (a full disk, say): the kernel holds the new
// values (or, after a failure, the restored ones) while the journal still says `left` — say so,
// rather than let the bare write error suggest that nothing happened.
core::Error journal_update_error(core::Error e, const ExecResult& r, JournalState left,
                                 const std::string& done, const std::string& next) {
  e.hint = r.ok() ? fmt::format("{} ({}), but the journal still says '{}': {}", done, fmt::join(r.written, ", "),
                                to_string(left), next)
                  : fmt::format("nothing was left changed, but the journal still says '{}': 'tcptune rollback' clears it",
                                to_string(left));
  return e;
}

core::Error failure_error(const ExecResult& r, const std::string& undo_cmd) {
  core::Error e = *r.failure;
  if (r.consistent()) {
    e.hint = r.restored.empty() ? "nothing was left changed (no key had been written)"
                                : fmt::format("nothing was left changed: restored {}",
                                              fmt::join(r.restored, ", "));
  } else {
    std::vector<std::string> bad;
    for (const auto& f : r.restore_failures) bad.push_back(f.object);
    e.hint = fmt::format("could not restore {}; the journal is kept: run '{}'", list_or_none(bad),
                         undo_cmd);
  }
  return e;
}

struct Locked {
  StateLock lock;
  std::optional<Journal> journal;
};

core::Result<Locked> lock_state(const ApplyOptions& opts) {
  if (auto st = ensure_state_dir(opts.state_dir); !st) return st.error();
  auto lock = StateLock::acquire(opts.state_dir);
  if (!lock) return lock.error();
  auto j = read_journal(opts.state_dir);
  if (!j) return j.error();
  return Locked{std::move(*lock), std::move(*j)};
}

}  // namespace

ExecResult execute_changes(SysctlStore& store, const std::vector<core::Change>& changes) {
  ExecResult r;
  size_t touched = 0;
  for (const core::Change& c : changes) {
    ++touched;
    if (auto st = write_verified(store, c.key, c.after); !st) {
      r.failure = st.error();
      break;
    }
    r.written.push_back(c.key);
  }
  if (r.ok()) return r;
  for (size_t i = touched; i-- > 0;) {
    const core::Change& c = changes[i];
    // A rejected write normally leaves the old value; then there is nothing to put back.
    if (i + 1 == touched && core::reading_holds(store.read(c.key), c.before)) continue;
    if (auto st = write_verified(store, c.key, c.before); !st) {
      r.restore_failures.push_back(st.error());
    } else {
      r.restored.push_back(c.key);
    }
  }
  return r;
}

// Items of the plan whose live value (read now: the journal must hold these values, not the
// snapshot's, which may be older) differs from the target.
static core::Status collect_changes(const core::Plan& plan, SysctlStore& store, ApplyOutcome& out) {
  for (const auto& it : plan.items) {
    if (!it.change) continue;
    const core::SysctlReading live = store.read(it.key);
    if (!live.has_value()) {
      return core::make_error(it.key, fmt::format("cannot read the current value ({})",
                                                  core::state_name(live.state)), live.err);
    }
    if (live.value.text != it.before) {
      out.notes.push_back(fmt::format("{} changed since the plan was made: now '{}'", it.key,
                                      live.value.text));
    }
    if (core::reading_holds(live, it.after)) continue;
    out.changes.push_back({it.key, live.value.text, it.after});
  }
  return core::ok_status();
}

core::Result<ApplyOutcome> apply_plan(const core::Plan& plan, SysctlStore& store,
                                      const ApplyOptions& opts) {
  ApplyOutcome out;
  out.dry_run = opts.dry_run;
  if (opts.dry_run) {
    if (auto st = collect_changes(plan, store, out); !st) return st.error();
    return out;
  }
  auto locked = lock_state(opts);
  if (!locked) return locked.error();
  if (locked->journal && locked->journal->interrupted()) {
    return core::make_error(journal_path(opts.state_dir),
                            fmt::format("an interrupted {} of profile '{}' (pid {}, {}) left this journal",
                                        locked->journal->state == JournalState::kPending ? "apply" : "rollback",
                                        locked->journal->profile, locked->journal->pid,
                                        locked->journal->started),
                            0, "run 'tcptune rollback' to restore the values it recorded, then apply again");
  }
  if (auto st = collect_changes(plan, store, out); !st) return st.error();
  if (out.changes.empty()) return out;  // keep the previous journal
  Journal j{JournalState::kPending, plan.profile, opts.tool_version, opts.root, ::getpid(), utc_now(),
            out.changes};
  if (auto st = write_journal(opts.state_dir, j); !st) return st.error();  // nothing changed yet

  out.exec = execute_changes(store, out.changes);
  if (out.exec.ok() || out.exec.consistent()) {
    j.state = out.exec.ok() ? JournalState::kApplied : JournalState::kRestored;
    if (auto st = write_journal(opts.state_dir, j); !st) {
      return journal_update_error(st.error(), out.exec, JournalState::kPending, "the changes were made",
                                  "run 'tcptune rollback' to undo them");
    }
  }
  if (!out.exec.ok()) return failure_error(out.exec, "tcptune rollback");
  return out;
}

// Why the journal cannot be rolled back, if it cannot.
static core::Status check_rollback(const std::optional<Journal>& journal, const ApplyOptions& opts) {
  const std::string path = journal_path(opts.state_dir);
  if (!journal) return core::make_error(path, "no journal: nothing to roll back");
  const Journal& j = *journal;
  if (j.state == JournalState::kRolledBack || j.state == JournalState::kRestored) {
    return core::make_error(path, fmt::format("the last apply (profile '{}', {}) was already {}",
                                              j.profile, j.started,
                                              j.state == JournalState::kRestored ? "undone when it failed"
                                                                                 : "rolled back"));
  }
  if (j.root != opts.root) {
    return core::make_error(path, fmt::format("the journal was written for --root {}, not {}", j.root,
                                              opts.root));
  }
  return core::ok_status();
}

// The rollback plan of `j`, against the values its keys hold now, as changes and notes.
static core::Status rollback_changes(const Journal& j, SysctlStore& store, ApplyOutcome& out) {
  core::Snapshot now;
  for (const core::Change& e : j.entries) now.sysctls[e.key] = store.read(e.key);
  auto plan = core::plan_rollback(j.profile, j.entries, now);
  if (!plan) return plan.error();
  for (const core::PlannedChange& it : plan->items) {
    if (it.change) out.changes.push_back(static_cast<const core::Change&>(it));
    for (const auto& n : it.notes) out.notes.push_back(fmt::format("{} {}", it.key, n));
  }
  return core::ok_status();
}

core::Result<ApplyOutcome> rollback_last(SysctlStore& store, const ApplyOptions& opts) {
  ApplyOutcome out;
  out.dry_run = opts.dry_run;
  std::optional<Locked> locked;
  std::optional<Journal> journal;
  if (opts.dry_run) {
    auto j = read_journal(opts.state_dir);
    if (!j) return j.error();
    journal = std::move(*j);
  } else {
    auto l = lock_state(opts);
    if (!l) return l.error();
    locked.emplace(std::move(*l));
    journal = locked->journal;
  }
  if (auto st = check_rollback(journal, opts); !st) return st.error();
  Journal j = *journal;
  if (auto st = rollback_changes(j, store, out); !st) return st.error();
  if (opts.dry_run) return out;

  const JournalState previous = j.state == JournalState::kRollingBack ? JournalState::kPending : j.state;
  j.state = JournalState::kRollingBack;
  if (auto st = write_journal(opts.state_dir, j); !st) return st.error();
  out.exec = execute_changes(store, out.changes);
  if (out.exec.ok() || out.exec.consistent()) {
    j.state = out.exec.ok() ? JournalState::kRolledBack : previous;
    if (auto st = write_journal(opts.state_dir, j); !st) {
      return journal_update_error(st.error(), out.exec, JournalState::kRollingBack,
                                  "the values were restored", "run 'tcptune rollback' again to finish");
    }
  }
  if (!out.exec.ok()) return failure_error(out.exec, "tcptune rollback");
  return out;
}

core::Status check_writable(const std::string& root, const std::vector<std::string>& keys) {
  const std::string proc_sys = join_root(root, "proc/sys");
  struct statvfs vfs{};
  if (::statvfs(proc_sys.c_str(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0) {
    return core::make_error(proc_sys, "mounted read-only (a container?): no sysctl can be changed", EROFS,
                            "apply from the host, or give the container a writable /proc/sys");
  }
  for (const auto& key : keys) {
    const std::string path = join_root(root, "proc/sys/" + core::key_to_proc_path(key));
    if (::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0) continue;
    const int e = errno;
    std::string hint = ::geteuid() != 0 ? "run tcptune apply as root"
                                        : "the key is read-only here (e.g. in a child network namespace)";
    return core::make_error(key, "cannot be written", e, std::move(hint));
  }
  return core::ok_status();
}

}  // namespace tcptune::platform
